// The OCI error envelope: `{"errors":[{"code","message","detail"}]}`.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes
import type { RegistryError } from '../../core/errors.js';

/** The OCI JSON body for a domain error. */
export function ociErrorBody(err: RegistryError): { errors: Array<{ code: string; message: string; detail?: unknown }> } {
  return { errors: [{ code: err.code, message: err.message, ...(err.detail !== undefined ? { detail: err.detail } : {}) }] };
}
