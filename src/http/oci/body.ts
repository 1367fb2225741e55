// Request bodies on the OCI surface: streamed for blobs, bounded reads for manifests.
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../../core/errors.js';
import type { UploadBody } from '../../core/oci/uploads.js';

/** Describes a request body for the upload service without reading it. */
export function uploadBody(req: IncomingMessage): UploadBody {
  const lengthHeader = req.headers['content-length'];
  const contentLength = lengthHeader === undefined ? undefined : Number(lengthHeader);
  if (contentLength !== undefined && (!Number.isSafeInteger(contentLength) || contentLength < 0)) {
    throw new RegistryError('SIZE_INVALID', 'invalid Content-Length');
  }
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const present = chunked || (contentLength ?? 0) > 0;
  const contentRange = req.headers['content-range'];
  return { source: req, present, contentLength: chunked ? undefined : contentLength, contentRange };
}

/**
 * Reads a whole body of at most `limit` bytes. Past the limit it rejects at once with a 413 error and
 * discards the rest of the body, so the reply can still be sent on the same connection.
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd);
      req.resume();
      reject(tooLarge(limit));
    };
    const onEnd = () => resolve(Buffer.concat(chunks, total));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

function tooLarge(limit: number): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `manifest exceeds the ${limit} byte limit`, { status: 413, detail: { limit } });
}
