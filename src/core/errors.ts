// One catalogue of domain errors. Core throws RegistryError with a code; each HTTP surface turns
// it into its own envelope (OCI `{"errors":[...]}` today, HF and Kubeflow shapes later).
// OCI codes: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes

/** Every error code Berth can raise, with its default HTTP status and message. */
export const ERROR_CATALOGUE = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  TAG_INVALID: { status: 400, message: 'invalid tag' },
  RANGE_INVALID: { status: 416, message: 'requested range not satisfiable' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  NOT_FOUND: { status: 404, message: 'not found' },
  INVALID: { status: 400, message: 'invalid request' },
  REPO_NOT_FOUND: { status: 404, message: 'Repository not found' },
  REVISION_NOT_FOUND: { status: 404, message: 'Revision not found' },
  ENTRY_NOT_FOUND: { status: 404, message: 'Entry not found' },
  CONFLICT: { status: 409, message: 'conflict' },
  INTERNAL: { status: 500, message: 'internal server error' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A code from the catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A domain error: a catalogue code, a human message, optional structured detail, optional status override. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: unknown;

  constructor(code: ErrorCode, message?: string, options: { detail?: unknown; status?: number } = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(message ?? entry.message);
    this.name = 'RegistryError';
    this.code = code;
    this.status = options.status ?? entry.status;
    this.detail = options.detail;
  }
}

/** True when `err` is a RegistryError. */
export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof RegistryError;
}
