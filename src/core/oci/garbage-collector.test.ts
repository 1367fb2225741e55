// Garbage collection over real drivers (SQLite + filesystem), driven through the core services that
// push: what goes, what stays, dry runs, HEAD refreshes, the lease, abandoned sweeps, and an upload
// commit of a blob at the very moment GC deletes it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFilesystemBlobStore } from '../../adapters/blobs/filesystem.js';
import { openStores, type SqlStores } from '../../adapters/metadata/open.js';
import type { BlobStore } from '../ports/blob-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { GarbageCollector } from './garbage-collector.js';
import { MediaTypes } from './media-types.js';
import { RegistryService } from './registry.js';
import { UploadService, type UploadBody } from './uploads.js';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const body = (bytes: Uint8Array): UploadBody => ({ source: (async function* () { yield bytes; })(), present: true, contentLength: bytes.length });
const HOUR = 3600_000;
/** A clock `ms` ahead of the wall clock: what a GC (or a HEAD) later on sees. */
const ahead = (ms: number): Clock => ({ now: () => new Date(Date.now() + ms) });

describe('GarbageCollector', () => {
  let dir: string;
  let blobs: BlobStore;
  let stores: SqlStores;
  let uploads: UploadService;
  let registry: RegistryService;
  const gcAt = (clock: Clock, store: BlobStore = blobs) => new GarbageCollector(store, stores.gc, clock, { graceSeconds: 7200, holder: 'test' });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-gc-'));
    blobs = await createFilesystemBlobStore({ root: join(dir, 'storage'), fsync: false });
    stores = await openStores({ driver: 'sqlite', path: join(dir, 'db'), synchronous: 'normal' });
    uploads = new UploadService(blobs, stores.registry, systemClock);
    registry = new RegistryService(blobs, stores.registry, systemClock, { maxManifestBytes: 4 << 20, maxPageSize: 100 });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function pushBlob(repository: string, bytes: Uint8Array): Promise<string> {
    return (await uploads.putWhole(repository, sha(bytes), body(bytes))).digest;
  }

  async function pushImage(repository: string, tag: string, layers: Uint8Array[]): Promise<string> {
    const config = Buffer.from(JSON.stringify({ tag, n: randomBytes(4).toString('hex') }));
    await pushBlob(repository, config);
    for (const layer of layers) await pushBlob(repository, layer);
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(l), size: l.length })),
    };
    return (await registry.putManifest(repository, tag, Buffer.from(JSON.stringify(manifest)), MediaTypes.ociManifest)).digest;
  }

  async function readAll(digest: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of await blobs.read(digest)) hash.update(chunk as Buffer);
    return `sha256:${hash.digest('hex')}`;
  }

  it("frees a deleted manifest's own layers and config, keeps shared ones, and a dry run changes nothing", async () => {
    const shared = randomBytes(3000);
    const own = randomBytes(5000);
    const a = await pushImage('team/a', 'v1', [shared, own]);
    await pushImage('team/b', 'v1', [shared]);
    const configOfA = JSON.parse(Buffer.from((await registry.getManifest('team/a', a)).content).toString()).config as { digest: string; size: number };
    await registry.deleteManifest('team/a', a);
    const gc = gcAt(ahead(3 * HOUR));

    const dry = await gc.collect({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, linksDeleted: 3, blobsDeleted: 2, bytesFreed: own.length + configOfA.size, error: null });
    expect(await blobs.stat(sha(own))).toBe(own.length);
    expect(await stores.registry.getLinkedBlob('team/a', sha(own))).toEqual({ size: own.length });

    const run = await gc.collect();
    expect(run).toMatchObject({ dryRun: false, linksDeleted: 3, blobsDeleted: 2, bytesFreed: own.length + configOfA.size, error: null });
    expect(await blobs.stat(sha(own))).toBeNull();
    expect(await blobs.stat(configOfA.digest)).toBeNull();
    expect(await readAll(sha(shared))).toBe(sha(shared));
    expect(await stores.registry.getLinkedBlob('team/a', sha(shared))).toBeNull();
    expect(await stores.registry.getLinkedBlob('team/b', sha(shared))).toEqual({ size: shared.length });
    expect((await gc.collect()).blobsDeleted).toBe(0);
    expect((await gc.history(10)).map((r) => [r.dryRun, r.blobsDeleted])).toEqual([[false, 0], [false, 2], [true, 2]]);
  });

  it('spares what was pushed within the grace window, and a blob pushed again after collection is whole', async () => {
    const bytes = randomBytes(2000);
    await pushBlob('r', bytes);
    expect(await gcAt(systemClock).collect({ graceSeconds: 60 })).toMatchObject({ linksDeleted: 0, blobsDeleted: 0 });
    expect(await gcAt(ahead(2 * HOUR)).collect({ graceSeconds: 3600 })).toMatchObject({ linksDeleted: 1, blobsDeleted: 1 });
    expect(await blobs.stat(sha(bytes))).toBeNull();
    await pushBlob('r', bytes);
    expect(await readAll(sha(bytes))).toBe(sha(bytes));
  });

  it('keeps an unreferenced blob a HEAD confirmed for a grace window from that HEAD', async () => {
    const bytes = randomBytes(2000);
    await pushBlob('r', bytes);
    const later = new GarbageCollector(blobs, stores.gc, ahead(2 * HOUR), { graceSeconds: 3600, holder: 'test' });
    expect((await later.collect({ dryRun: true })).linksDeleted).toBe(1);
    const headLater = new RegistryService(blobs, stores.registry, ahead(2 * HOUR - 60_000), { maxManifestBytes: 4 << 20, maxPageSize: 100 });
    await headLater.confirmBlob('r', sha(bytes));
    expect(await later.collect()).toMatchObject({ linksDeleted: 0, blobsDeleted: 0 });
    expect(await readAll(sha(bytes))).toBe(sha(bytes));
  });

  it('refuses to run while another replica holds the lease', async () => {
    await stores.gc.acquireLease('elsewhere', new Date(Date.now() + 60_000), new Date());
    await expect(gcAt(systemClock).collect()).rejects.toMatchObject({ code: 'CONFLICT' });
    await stores.gc.releaseLease('elsewhere');
    await expect(gcAt(systemClock).collect()).resolves.toMatchObject({ error: null });
  });

  it('finishes a sweep a crashed GC left behind', async () => {
    const bytes = randomBytes(1000);
    await pushBlob('r', bytes);
    await stores.registry.unlinkBlob('r', sha(bytes));
    expect(await stores.gc.markSweeping(sha(bytes), new Date(Date.now() + 60_000), new Date(1000))).toBe(true);
    expect(await gcAt(systemClock).collect()).toMatchObject({ blobsDeleted: 1, bytesFreed: 1000 });
    expect(await blobs.stat(sha(bytes))).toBeNull();
    expect(await stores.gc.listAbandonedSweeps(new Date(Date.now() + 60_000), 10)).toEqual([]);
  });

  it('lets an upload commit take back a blob whose sweep was abandoned, and keeps its bytes', async () => {
    const bytes = randomBytes(1000);
    await pushBlob('r', bytes);
    await stores.registry.unlinkBlob('r', sha(bytes));
    expect(await stores.gc.markSweeping(sha(bytes), new Date(Date.now() + 60_000), new Date(1000))).toBe(true);
    await pushBlob('r2', bytes);
    expect(await gcAt(systemClock).collect({ graceSeconds: 60 })).toMatchObject({ blobsDeleted: 0 });
    expect(await readAll(sha(bytes))).toBe(sha(bytes));
  });

  it('makes an upload commit of the blob being deleted wait, then write the bytes again', async () => {
    const bytes = randomBytes(4000);
    await pushBlob('r', bytes);
    await stores.registry.unlinkBlob('r', sha(bytes));
    // The real driver, with its deletes held until the upload below has started committing.
    let entered!: () => void;
    const deleting = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held: BlobStore = Object.assign(Object.create(blobs) as BlobStore, {
      delete: async (digest: string) => {
        entered();
        await gate;
        return blobs.delete(digest);
      },
    });
    const run = gcAt(ahead(3 * HOUR), held).collect();
    await deleting;
    const push = pushBlob('r2', bytes);
    // Whatever the commit does before the bytes are gone, it must not finish on the old bytes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect(await run).toMatchObject({ blobsDeleted: 1 });
    expect(await push).toBe(sha(bytes));
    expect(await stores.registry.getLinkedBlob('r2', sha(bytes))).toEqual({ size: bytes.length });
    expect(await readAll(sha(bytes))).toBe(sha(bytes));
  });
});
