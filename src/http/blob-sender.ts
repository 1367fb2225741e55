// Sends blob bytes to a client by positional reads into two reused buffers: a buffer is refilled only
// after the socket has taken its previous contents. Streaming fresh 1 MiB buffers instead makes the
// garbage collector the bottleneck of large pulls. Shared by the OCI and Hub surfaces.
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { BlobReader } from '../core/ports/blob-store.js';

const CHUNK = 1 << 20;

/** Writes the reply's status and headers, then bytes `[start, end]` of the blob; closes the reader. */
export async function sendBlobBytes(reply: FastifyReply, reader: BlobReader, start: number, end: number): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(reply.statusCode, reply.getHeaders() as OutgoingHttpHeaders);
  const buffers = [Buffer.allocUnsafeSlow(CHUNK), Buffer.allocUnsafeSlow(CHUNK)];
  const inFlight: Array<Promise<void> | undefined> = [undefined, undefined];
  let position = start;
  let slot = 0;
  try {
    while (position <= end) {
      await inFlight[slot];
      const buffer = buffers[slot]!;
      const n = await reader.read(buffer.subarray(0, Math.min(CHUNK, end - position + 1)), position);
      if (n === 0) throw new Error(`blob ended at ${position}, before ${end + 1}`);
      position += n;
      inFlight[slot] = new Promise<void>((resolve, reject) => {
        res.write(buffer.subarray(0, n), (err) => (err ? reject(err) : resolve()));
      });
      inFlight[slot]!.catch(() => undefined);
      slot ^= 1;
    }
    await Promise.all(inFlight);
    res.end();
  } catch (err) {
    res.destroy(err as Error);
  } finally {
    await reader.close();
  }
}
