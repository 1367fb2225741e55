// Filesystem BlobStore driver: blobs at <root>/blobs/<alg>/<2 hex>/<hex>, uploads at <root>/uploads/<id>.
// A blob appears under its final name only by atomic rename after fsync, so a crash never leaves a
// partial blob visible; upload bytes are fsynced before an append is acknowledged.
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobReader, BlobStore } from '../../core/ports/blob-store.js';
import { writeBatched } from '../files/batched-write.js';
import type { ByteRange } from '../../core/oci/range.js';

const READ_HIGH_WATER_MARK = 1 << 20;

/** Options of the filesystem driver. */
export interface FilesystemBlobStoreOptions {
  root: string;
  /** fsync files and directories before acknowledging (default true). */
  fsync?: boolean;
}

/** Creates a BlobStore on a local directory. */
export async function createFilesystemBlobStore(options: FilesystemBlobStoreOptions): Promise<BlobStore> {
  const store = new FilesystemBlobStore(options.root, options.fsync ?? true);
  await mkdir(join(options.root, 'uploads'), { recursive: true });
  await mkdir(join(options.root, 'blobs'), { recursive: true });
  return store;
}

class FilesystemBlobStore implements BlobStore {
  private readonly knownDirs = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly durable: boolean,
  ) {}

  async stat(digest: string): Promise<number | null> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const handle = await open(this.blobPath(digest), 'r');
    return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: READ_HIGH_WATER_MARK });
  }

  async openReader(digest: string): Promise<BlobReader> {
    const handle = await open(this.blobPath(digest), 'r');
    return {
      read: async (into, position) => (await handle.read(into, 0, into.byteLength, position)).bytesRead,
      close: () => handle.close(),
    };
  }

  async put(digest: string, bytes: Uint8Array): Promise<void> {
    const target = this.blobPath(digest);
    const temp = join(this.root, 'uploads', `put-${process.pid}-${Math.random().toString(36).slice(2)}`);
    await writeFile(temp, bytes);
    if (this.durable) await syncPath(temp);
    await this.install(temp, target);
  }

  async delete(digest: string): Promise<void> {
    await unlink(this.blobPath(digest)).catch(ignoreNotFound);
  }

  async createUpload(): Promise<void> {
    // Upload files are created on first append; an empty session needs no file.
  }

  async appendUpload(id: string, offset: number, source: AsyncIterable<Uint8Array>, options: { sync?: boolean } = {}): Promise<number> {
    const path = this.uploadPath(id);
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      const { size } = await handle.stat();
      if (size < offset) throw new Error(`upload ${id} holds ${size} bytes, fewer than the acknowledged ${offset}`);
      if (size > offset) await handle.truncate(offset);
      const end = await writeBatched(handle, offset, source);
      if (this.durable && options.sync !== false) {
        await handle.sync();
        if (offset === 0 && size === 0) await syncPath(join(this.root, 'uploads'));
      }
      return end;
    } finally {
      await handle.close();
    }
  }

  async uploadExists(id: string): Promise<boolean> {
    return (await stat(this.uploadPath(id)).catch(() => null)) !== null;
  }

  async readUpload(id: string, size: number): Promise<Readable> {
    if (size === 0) return Readable.from([]);
    return createReadStream(this.uploadPath(id), { start: 0, end: size - 1, highWaterMark: READ_HIGH_WATER_MARK });
  }

  async commitUpload(id: string, size: number, digest: string): Promise<void> {
    const target = this.blobPath(digest);
    if ((await this.stat(digest)) === size) return;
    const path = this.uploadPath(id);
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      if ((await handle.stat()).size !== size) await handle.truncate(size);
      if (this.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await this.install(path, target);
  }

  async deleteUpload(id: string): Promise<void> {
    await rm(this.uploadPath(id), { force: true });
  }

  async listUploadsBefore(before: Date): Promise<string[]> {
    const ids: string[] = [];
    for (const name of await readdir(join(this.root, 'uploads'))) {
      if (!/^[0-9a-f-]{36}$/.test(name)) continue;
      const info = await stat(join(this.root, 'uploads', name)).catch(() => null);
      if (info && info.mtime < before) ids.push(name);
    }
    return ids;
  }

  async close(): Promise<void> {}

  private async install(source: string, target: string): Promise<void> {
    const dir = dirname(target);
    if (!this.knownDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.knownDirs.add(dir);
    }
    await rename(source, target);
    if (this.durable) await syncPath(dir);
  }

  private blobPath(digest: string): string {
    const colon = digest.indexOf(':');
    const algorithm = digest.slice(0, colon);
    const hex = digest.slice(colon + 1);
    if (!/^[a-z0-9]+$/.test(algorithm) || !/^[a-f0-9]{64,128}$/.test(hex)) throw new Error(`not a storable digest: ${digest.slice(0, 80)}`);
    return join(this.root, 'blobs', algorithm, hex.slice(0, 2), hex);
  }

  private uploadPath(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error('not an upload id');
    return join(this.root, 'uploads', id);
  }
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}
