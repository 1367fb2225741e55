// Byte ranges: the RFC 9110 `Range` request header for blob GETs, and the upload
// `Content-Range: <start>-<end>` header of chunked pushes.
// https://www.rfc-editor.org/rfc/rfc9110#section-14.2 and
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-a-blob-in-chunks
import { RegistryError } from '../errors.js';

/** An inclusive byte range within a blob. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Resolves a `Range` header against a blob of `size` bytes. Returns null when the whole blob should be
 * sent (no header, a non-bytes unit, or several ranges); throws RANGE_INVALID when unsatisfiable.
 */
export function resolveRangeHeader(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined) return null;
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!match) return null;
  const spec = match[1]!.trim();
  if (spec.includes(',')) return null;
  const parts = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
  if (!parts || (parts[1] === '' && parts[2] === '')) throw unsatisfiable(size);
  const [, first, last] = parts;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || (last !== '' && Number(last) < start)) throw unsatisfiable(size);
  return { start, end };
}

/** Parses an upload `Content-Range` (`<start>-<end>`, inclusive; a `bytes ` prefix is tolerated). */
export function parseUploadContentRange(header: string): ByteRange {
  const match = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) {
    throw new RegistryError('BLOB_UPLOAD_INVALID', `invalid Content-Range "${header.slice(0, 64)}"`, { status: 416 });
  }
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) throw new RegistryError('BLOB_UPLOAD_INVALID', 'Content-Range end precedes its start', { status: 416 });
  return { start, end };
}

/** The upload `Range` header value for `size` bytes received: `0-<last byte>` (`0-0` when empty, as distribution does). */
export function uploadRangeHeader(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}

function unsatisfiable(size: number): RegistryError {
  return new RegistryError('RANGE_INVALID', 'requested range not satisfiable', { detail: { size } });
}
