// Upload sessions of the S3 driver. S3 cannot append to an object, every multipart part but the last
// must be at least 5 MiB, and parts are unreadable until CompleteMultipartUpload, while OCI chunks can
// be a few bytes. So an upload's bytes are a layout: the parts of one multipart upload followed by a
// tail object (any size; an append folds the previous tail into its first part, and what is left
// under 5 MiB, or under a part when no multipart upload has started, becomes the new tail).
//
// Layouts live in the UploadLedger (the database every replica shares), one per version: an append
// starts from the layout of the version the caller acknowledged and records a new one, never
// changing the old, so an append that loses the caller's compare-and-set cannot alter the bytes of
// the one that won. Part numbers come from the ledger's counter, so no part is ever overwritten; tail
// objects have fresh random keys. An append resolves only after its parts, its tail and its layout
// are stored, so the acknowledged prefix survives a crash of any replica.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AppendOptions } from '../../core/ports/blob-store.js';
import type { UploadLedger } from '../../core/ports/upload-ledger.js';
import type { S3Bucket, UploadedPart } from './s3-objects.js';

/** The smallest part S3 accepts before the last one. */
export const MIN_PART_BYTES = 5 << 20;
const MAX_PARTS = 10_000;

/** The bytes of an upload's first `size` bytes, in order: multipart parts, then a tail object. */
interface Layout {
  mp?: { id: string; key: string; parts: UploadedPart[] };
  tail?: { key: string; size: number };
}

/** In-progress uploads under `uploads/<id>/` of a bucket, with their layouts in a ledger. */
export class S3Uploads {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly bucket: S3Bucket,
    private readonly ledger: UploadLedger,
    private readonly partSize: number,
  ) {}

  /** Appends `source` to the layout at `offset` (and `options.version`); see BlobStore.appendUpload. */
  async append(id: string, offset: number, source: AsyncIterable<Uint8Array>, options: AppendOptions = {}): Promise<number> {
    const base = await this.layoutAt(id, offset, options.version);
    if (offset > 0) this.background(this.prune(id, offset));
    const layout: Layout = base.mp ? { mp: { ...base.mp, parts: [...base.mp.parts] } } : {};
    let created: { id: string; key: string } | undefined;
    let uploading: Promise<void> = Promise.resolve();
    const queue: Buffer[] = [];
    let queued = 0;

    const flushPart = async (bytes: Buffer) => {
      await uploading;
      if (!layout.mp) {
        const key = uploadKey(id, 'data');
        created = { id: await this.bucket.startMultipart(key), key };
        layout.mp = { ...created, parts: [] };
      }
      const mp = layout.mp;
      const part: UploadedPart = { n: await this.nextPart(id), etag: '', size: bytes.byteLength };
      mp.parts.push(part);
      uploading = this.bucket.uploadPart(mp.key, mp.id, part.n, bytes).then((etag) => void (part.etag = etag));
      uploading.catch(() => undefined);
    };
    const feed = async (chunk: Uint8Array) => {
      queue.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      queued += chunk.byteLength;
      while (queued >= this.partSize) {
        await flushPart(take(queue, this.partSize));
        queued -= this.partSize;
      }
    };

    let received = 0;
    try {
      for await (const chunk of source) {
        if (chunk.byteLength === 0) continue;
        if (received === 0 && base.tail) for await (const c of await this.bucket.get(base.tail.key)) await feed(c as Buffer);
        received += chunk.byteLength;
        await feed(chunk);
      }
      if (received === 0) Object.assign(layout, base);
      else if (queued >= MIN_PART_BYTES && layout.mp) await flushPart(take(queue, queued));
      else if (queued > 0) {
        const key = uploadKey(id, 'tail');
        await this.bucket.put(key, take(queue, queued));
        layout.tail = { key, size: queued };
      }
      await uploading;
    } catch (err) {
      await uploading.catch(() => undefined);
      if (created) await this.bucket.abortMultipart(created.key, created.id);
      throw err;
    }
    const size = offset + received;
    if (sizeOf(layout) !== size) throw new Error(`upload ${id}: layout holds ${sizeOf(layout)} bytes, expected ${size}`);
    await this.ledger.put(id, { version: options.newVersion ?? sizeVersion(size), size, layout: JSON.stringify(layout), updatedAt: new Date() });
    return size;
  }

  /** The first `size` bytes of an upload as one stream (completing its multipart upload if it has one). */
  async read(id: string, size: number, version?: string | null): Promise<Readable> {
    if (size === 0) return Readable.from([]);
    return this.bucket.get((await this.single(id, size, version))!, { start: 0, end: size - 1 });
  }

  /**
   * The key of one object holding exactly the first `size` bytes of the upload, or null when empty. A
   * multipart upload is completed (its tail uploaded as the last part) and the result recorded as the
   * layout of the same version; a retry after a crash finds the completed object and goes on.
   */
  async single(id: string, size: number, version?: string | null): Promise<string | null> {
    if (size === 0) return null;
    const layout = await this.layoutAt(id, size, version);
    if (!layout.mp) return layout.tail!.key;
    const { mp } = layout;
    if ((await this.bucket.size(mp.key)) !== size) {
      const parts = [...mp.parts];
      if (layout.tail) {
        const bytes = await collect(await this.bucket.get(layout.tail.key));
        const n = await this.nextPart(id);
        parts.push({ n, etag: await this.bucket.uploadPart(mp.key, mp.id, n, bytes), size: bytes.byteLength });
      }
      await this.bucket.completeMultipart(mp.key, mp.id, parts);
    }
    const assembled: Layout = { tail: { key: mp.key, size } };
    await this.ledger.put(id, { version: version ?? sizeVersion(size), size, layout: JSON.stringify(assembled), updatedAt: new Date() });
    return mp.key;
  }

  /** True when the upload holds bytes. */
  async exists(id: string): Promise<boolean> {
    return (await this.ledger.list(id)).some((r) => r.size > 0);
  }

  /** Discards every object, multipart upload and ledger record of an upload. */
  async remove(id: string): Promise<void> {
    const multiparts = new Map<string, string>();
    for (const record of await this.ledger.list(id)) {
      const { mp } = JSON.parse(record.layout) as Layout;
      if (mp) multiparts.set(mp.id, mp.key);
    }
    for (const [uploadId, key] of multiparts) await this.bucket.abortMultipart(key, uploadId);
    for (const { key } of await this.bucket.list(`uploads/${id}/`)) await this.bucket.delete(key);
    await this.ledger.forget(id);
  }

  /** Uploads idle since before `before`: in the ledger, or objects under uploads/ that it lost track of. */
  async idleBefore(before: Date): Promise<string[]> {
    const ids = new Set(await this.ledger.idleBefore(before));
    const newest = new Map<string, Date>();
    for (const { key, modified } of await this.bucket.list('uploads/')) {
      const id = key.split('/')[1] ?? '';
      if (!newest.has(id) || newest.get(id)! < modified) newest.set(id, modified);
    }
    for (const [id, modified] of newest) {
      if (isUploadId(id) && modified < before && !ids.has(id) && (await this.ledger.list(id)).length === 0) ids.add(id);
    }
    return [...ids];
  }

  /** Waits for background clean-ups. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async layoutAt(id: string, size: number, version: string | null | undefined): Promise<Layout> {
    if (!isUploadId(id)) throw new Error('not an upload id');
    if (size === 0) return {};
    const record = await this.ledger.get(id, version ?? sizeVersion(size));
    if (!record || record.size !== size) throw new Error(`upload ${id} has no stored layout of ${size} bytes`);
    return JSON.parse(record.layout) as Layout;
  }

  private async nextPart(id: string): Promise<number> {
    const n = await this.ledger.nextPart(id);
    if (n > MAX_PARTS) throw new Error(`upload ${id} needs more than ${MAX_PARTS} parts; raise storage.partSizeMiB`);
    return n;
  }

  /** Forgets layouts below `size` (never acknowledged again) and deletes their tails. */
  private async prune(id: string, size: number): Promise<void> {
    const dropped = await this.ledger.dropBelow(id, size);
    if (dropped.length === 0) return;
    const kept = new Set((await this.ledger.list(id)).map((r) => (JSON.parse(r.layout) as Layout).tail?.key));
    for (const record of dropped) {
      const { tail } = JSON.parse(record.layout) as Layout;
      if (tail && !kept.has(tail.key)) await this.bucket.delete(tail.key);
    }
  }

  private background(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

function sizeOf(layout: Layout): number {
  return (layout.mp?.parts.reduce((sum, p) => sum + p.size, 0) ?? 0) + (layout.tail?.size ?? 0);
}

/** The version naming a prefix when the caller gives none: its size. */
function sizeVersion(size: number): string {
  return `size:${size}`;
}

function uploadKey(id: string, kind: 'data' | 'tail'): string {
  return `uploads/${id}/${kind}-${randomUUID()}`;
}

function isUploadId(id: string): boolean {
  return /^[0-9a-f-]{36}$/.test(id);
}

/** Removes the first `n` bytes from `queue` into one buffer. */
function take(queue: Buffer[], n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let filled = 0;
  while (filled < n) {
    const head = queue[0]!;
    const used = Math.min(head.byteLength, n - filled);
    head.copy(out, filled, 0, used);
    filled += used;
    if (used === head.byteLength) queue.shift();
    else queue[0] = head.subarray(used);
  }
  return out;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
