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

/**
 * How an append relates to earlier ones. Drivers that cannot rewrite bytes in place (S3) keep one
 * layout per acknowledged prefix, named by a version the caller records together with the size under
 * its compare-and-set; so a losing concurrent append can never replace the bytes of the winning one.
 * Without versions, a driver names a prefix by its size. The filesystem driver needs neither.
 */
export interface AppendOptions {
  /** false: the bytes need only be written, a commit of them follows (default true). */
  sync?: boolean;
  /** Version of the acknowledged prefix `[0, offset)`, as given to the append that wrote it. */
  version?: string | null;
  /** Version under which the driver records the new prefix. */
  newVersion?: string;
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
  /**
   * A time-limited URL at which clients fetch the committed blob themselves (Range included); present
   * only on drivers configured to redirect blob downloads (S3 with `redirect`).
   */
  presignedUrl?(digest: string): Promise<string>;

  /** Creates the byte area of a new upload session. */
  createUpload(id: string): Promise<void>;
  /**
   * Writes `source` at `offset` of upload `id`, discarding anything past `offset` first, and returns
   * the new size once the bytes are durable (with `sync: false`, once written; a commit follows).
   * On failure the acknowledged prefix `[0, offset)` is intact.
   */
  appendUpload(id: string, offset: number, source: AsyncIterable<Uint8Array>, options?: AppendOptions): Promise<number>;
  /** True when upload `id` holds bytes. */
  uploadExists(id: string): Promise<boolean>;
  /** Streams the first `size` bytes of upload `id` (at `version`, see AppendOptions) to re-hash it. */
  readUpload(id: string, size: number, version?: string | null): Promise<Readable>;
  /** Makes the first `size` bytes of upload `id` (at `version`) the committed blob `digest`, atomically and durably. */
  commitUpload(id: string, size: number, digest: string, version?: string | null): Promise<void>;
  /** Discards an upload's bytes; absent uploads are not an error. */
  deleteUpload(id: string): Promise<void>;
  /** Ids of uploads holding bytes that were last written before `before` (to sweep orphans). */
  listUploadsBefore(before: Date): Promise<string[]>;
  /** Releases resources. */
  close(): Promise<void>;
}
