// Writing a stream of small chunks to a file fast: chunks are gathered into writev batches of about
// 1 MiB, with one batch in flight while the next fills, so receiving and writing overlap.
// Used by the filesystem blob store (uploads) and by `berth pull` (downloads).
import type { FileHandle } from 'node:fs/promises';

/** Writes are grouped into batches of about this many bytes. */
const WRITE_BATCH_BYTES = 1 << 20;

/** Writes `source` from `position` on, keeping one batch write in flight while the next one fills. */
export async function writeBatched(handle: FileHandle, position: number, source: AsyncIterable<Uint8Array>): Promise<number> {
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    const buffers = batch;
    const at = position;
    const expected = batchBytes;
    position += batchBytes;
    batch = [];
    batchBytes = 0;
    await inFlight;
    inFlight = handle.writev(buffers, at).then(({ bytesWritten }) => {
      if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
    });
    // Surface a failed write at the next await instead of as an unhandled rejection.
    inFlight.catch(() => undefined);
  };
  for await (const chunk of source) {
    batch.push(chunk);
    batchBytes += chunk.byteLength;
    if (batchBytes >= WRITE_BATCH_BYTES) await flush();
  }
  if (batchBytes > 0) await flush();
  await inFlight;
  return position;
}
