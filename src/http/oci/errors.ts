// The OCI error envelope: `{"errors":[{"code","message","detail"}]}`.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes
import type { ErrorCode, RegistryError } from '../../core/errors.js';

/**
 * Catalogue codes that are neither spec codes nor the spec's legacy Docker codes, and the spec code each
 * is reported as on this surface ("The `code` field MUST be one of the following"); the status is kept.
 */
const SPEC_CODES: Partial<Record<ErrorCode, string>> = {
  RANGE_INVALID: 'SIZE_INVALID',
  PAGINATION_NUMBER_INVALID: 'UNSUPPORTED',
  NOT_FOUND: 'UNSUPPORTED',
};

/** The OCI JSON body for a domain error. */
export function ociErrorBody(err: RegistryError): { errors: Array<{ code: string; message: string; detail?: unknown }> } {
  const code = SPEC_CODES[err.code] ?? err.code;
  return { errors: [{ code, message: err.message, ...(err.detail !== undefined ? { detail: err.detail } : {}) }] };
}
