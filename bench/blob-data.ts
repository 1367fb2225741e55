// Benchmark payloads made in memory: a large blob is one shared 1 MiB random piece repeated, with its
// first piece carrying a random prefix so every blob (and every run) has its own digest. No disk is
// touched on the client side, and the same bytes can be sent to both servers.
import { createHash, randomBytes } from 'node:crypto';

/** Size of the shared random piece large blobs are made of. */
export const PIECE_BYTES = 1 << 20;
const PREFIX_BYTES = 32;

let shared: Buffer | undefined;

/** The shared random piece (created once per process). */
export function sharedPiece(): Buffer {
  shared ??= randomBytes(PIECE_BYTES);
  return shared;
}

/** A large blob generated on the fly, with its sha256 digest computed up front. */
export class SyntheticBlob {
  readonly digest: string;
  private readonly head: Buffer;

  constructor(readonly size: number) {
    this.head = Buffer.from(sharedPiece());
    randomBytes(PREFIX_BYTES).copy(this.head);
    const hash = createHash('sha256');
    for (const piece of this.pieces()) hash.update(piece);
    this.digest = `sha256:${hash.digest('hex')}`;
  }

  /** The bytes in [start, end) as pieces of at most 1 MiB (views, no copies). */
  *pieces(start = 0, end = this.size): Generator<Buffer> {
    let offset = start;
    while (offset < end) {
      const index = Math.floor(offset / PIECE_BYTES);
      const within = offset - index * PIECE_BYTES;
      const length = Math.min(PIECE_BYTES - within, end - offset);
      yield (index === 0 ? this.head : sharedPiece()).subarray(within, within + length);
      offset += length;
    }
  }
}

/** A small random blob and its digest. */
export interface SmallBlob {
  bytes: Buffer;
  digest: string;
}

/** `count` distinct random blobs of `size` bytes. */
export function smallBlobs(count: number, size: number): SmallBlob[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(size);
    return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
  });
}
