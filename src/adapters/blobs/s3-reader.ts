// Positional reads of an S3 object for the blob sender (src/http/blob-sender.ts), which asks for
// 1 MiB at a time in order. Each read is served from an open ranged GET ("window") instead of a
// request per read: windows start at 8 MiB and double up to 128 MiB, and once half of one is
// consumed the next is requested, so its first bytes are on the way when the current one ends. TCP
// flow control bounds what a window holds in memory. A read elsewhere than where the window stands
// (a client's own Range) closes it and opens one at the new position.
import type { Readable } from 'node:stream';
import type { BlobReader } from '../../core/ports/blob-store.js';
import type { S3Bucket } from './s3-objects.js';

const FIRST_WINDOW = 8 << 20;
const LARGEST_WINDOW = 128 << 20;

interface Window {
  /** First byte of the window. */
  start: number;
  /** Next byte the stream yields. */
  position: number;
  /** Last byte of the window (inclusive). */
  end: number;
  stream: Readable;
  chunks: AsyncIterator<Buffer>;
  /** Bytes received but not yet handed out. */
  rest: Buffer | null;
}

/** A BlobReader of object `key` (of `size` bytes) that reads ahead in large ranged GETs. */
export class S3ObjectReader implements BlobReader {
  private current: Window | null = null;
  private next: Promise<Window> | null = null;
  private span = FIRST_WINDOW;

  constructor(
    private readonly bucket: S3Bucket,
    private readonly key: string,
    private readonly size: number,
  ) {}

  async read(into: Uint8Array, position: number): Promise<number> {
    if (position >= this.size || into.byteLength === 0) return 0;
    if (this.current?.position !== position) await this.moveTo(position);
    let filled = 0;
    while (filled < into.byteLength && this.current) {
      const window = this.current;
      let chunk = window.rest;
      window.rest = null;
      if (!chunk) {
        const step = await window.chunks.next();
        if (step.done) {
          if (window.position <= window.end) throw new Error(`${this.key}: window ended at ${window.position}, before ${window.end + 1}`);
          await this.advance();
          continue;
        }
        chunk = step.value;
      }
      const used = Math.min(chunk.byteLength, into.byteLength - filled);
      into.set(chunk.subarray(0, used), filled);
      if (used < chunk.byteLength) window.rest = chunk.subarray(used);
      filled += used;
      window.position += used;
      if (window.position > window.end && !window.rest) await this.advance();
      else if (!this.next && window.end + 1 < this.size && window.position - window.start >= (window.end + 1 - window.start) / 2) {
        this.next = this.open(window.end + 1);
        this.next.catch(() => undefined);
      }
    }
    return filled;
  }

  async close(): Promise<void> {
    this.current?.stream.destroy();
    this.current = null;
    const next = this.next;
    this.next = null;
    if (next) (await next.catch(() => null))?.stream.destroy();
  }

  /** Drops the windows and opens one at `position`. */
  private async moveTo(position: number): Promise<void> {
    await this.close();
    this.span = FIRST_WINDOW;
    this.current = await this.open(position);
  }

  /** Moves on to the window after the current one (or to none at the end of the object). */
  private async advance(): Promise<void> {
    const after = this.current!.end + 1;
    this.current!.stream.destroy();
    this.current = null;
    if (after >= this.size) return;
    const next = this.next ?? this.open(after);
    this.next = null;
    this.current = await next;
  }

  private async open(start: number): Promise<Window> {
    const end = Math.min(this.size, start + this.span) - 1;
    this.span = Math.min(this.span * 2, LARGEST_WINDOW);
    const stream = await this.bucket.get(this.key, { start, end });
    return { start, position: start, end, stream, chunks: stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>, rest: null };
  }
}
