// Maps anything thrown by a handler to a RegistryError, so every surface reports errors as data.
import { isRegistryError, RegistryError } from '../core/errors.js';

/** Turns any thrown value into a RegistryError; unknown failures become INTERNAL (and should be logged). */
export function toRegistryError(err: unknown): RegistryError {
  if (isRegistryError(err)) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new RegistryError('SIZE_INVALID', 'request body too large', { status });
    if (status === 415) return new RegistryError('UNSUPPORTED', 'unsupported content type', { status });
    return new RegistryError('UNSUPPORTED', (err as Error).message, { status });
  }
  return new RegistryError('INTERNAL');
}
