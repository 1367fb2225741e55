// The BlobStore port: where blob bytes live. A driver only moves bytes; every OCI rule (digests,
// visibility, ranges) lives in core. Every driver passes test/contracts/blob-store.contract.ts.
import type { Readable } from 'node:stream';
import type { ByteRange } from '../oci/range.js';

/** Positional reads of one committed blob, for senders that reuse their buffers. */
export interface BlobReader {
  /** Reads up to `into.length` bytes at `position`; resolves with how many were read (0 at the end). */
  read(into: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

/** Byte storage for committed blobs and in-progress uploads. */
export interface BlobStore {
  /** Size in bytes of a committed blob, or null when absent. */
  stat(digest: string): Promise<number | null>;
  /** A stream of a committed blob's bytes, or of the inclusive `range` of them. */
  read(digest: string, range?: ByteRange): Promise<Readable>;
  /** Opens a committed blob for positional reads (rejects with ENOENT when absent). */
  openReader(digest: string): Promise<BlobReader>;
  /** Durably stores a complete, already verified blob given in memory (small blobs only). */
  put(digest: string, bytes: Uint8Array): Promise<void>;
  /** Removes a committed blob; absent blobs are not an error. */
  delete(digest: string): Promise<void>;

  /** Creates the byte area of a new upload session. */
  createUpload(id: string): Promise<void>;
  /**
   * Writes `source` at `offset` of upload `id`, discarding anything past `offset` first, and returns
   * the new size once the bytes are durable (with `sync: false`, once written; a commit follows).
   * On failure the acknowledged prefix `[0, offset)` is intact.
   */
  appendUpload(id: string, offset: number, source: AsyncIterable<Uint8Array>, options?: { sync?: boolean }): Promise<number>;
  /** True when upload `id` holds bytes. */
  uploadExists(id: string): Promise<boolean>;
  /** Streams the first `size` bytes of upload `id` (used to re-hash an upload begun elsewhere). */
  readUpload(id: string, size: number): Promise<Readable>;
  /** Makes the first `size` bytes of upload `id` the committed blob `digest`, atomically and durably. */
  commitUpload(id: string, size: number, digest: string): Promise<void>;
  /** Discards an upload's bytes; absent uploads are not an error. */
  deleteUpload(id: string): Promise<void>;
  /** Ids of uploads holding bytes that were last written before `before` (to sweep orphans). */
  listUploadsBefore(before: Date): Promise<string[]>;
  /** Releases resources. */
  close(): Promise<void>;
}
