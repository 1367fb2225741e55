// The RegistryStore contract: every relational driver (SQLite, PostgreSQL) must pass these checks.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryStore, StoredManifest } from '../../src/core/ports/registry-store.js';

/** A fresh, empty store and how to dispose of it. */
export interface RegistryStoreHarness {
  store: RegistryStore;
  dispose(): Promise<void>;
}

const d = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;

function manifest(repository: string, digest: string, extra: Partial<StoredManifest> = {}): StoredManifest {
  const content = Buffer.from(`{"schemaVersion":2,"x":"${digest}"}`);
  return {
    repository,
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: content.length,
    createdAt: new Date(1_700_000_000_000),
    content,
    ...extra,
  };
}

/** Registers the contract suite for a driver. */
export function registryStoreContract(driver: string, create: () => Promise<RegistryStoreHarness>): void {
  describe(`RegistryStore contract: ${driver}`, () => {
    let h: RegistryStoreHarness;
    let s: RegistryStore;
    beforeEach(async () => {
      h = await create();
      s = h.store;
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('answers ping', async () => {
      await s.ping();
    });

    it('links blobs per repository and creates the repository', async () => {
      expect(await s.repositoryExists('a/b')).toBe(false);
      await s.linkBlob('a/b', d('1'), 42);
      await s.linkBlob('a/b', d('1'), 42);
      expect(await s.repositoryExists('a/b')).toBe(true);
      expect(await s.getLinkedBlob('a/b', d('1'))).toEqual({ size: 42 });
      expect(await s.getLinkedBlob('a/c', d('1'))).toBeNull();
      await s.linkBlob('a/a', d('1'), 42);
      expect(await s.findBlobLinks(d('1'), 10)).toEqual([{ size: 42, repository: 'a/a' }, { size: 42, repository: 'a/b' }]);
      expect(await s.findBlobLinks(d('1'), 1)).toEqual([{ size: 42, repository: 'a/a' }]);
      expect(await s.unlinkBlob('a/b', d('1'))).toBe(true);
      expect(await s.unlinkBlob('a/b', d('1'))).toBe(false);
      expect(await s.findBlobLinks(d('1'), 10)).toEqual([{ size: 42, repository: 'a/a' }]);
    });

    it('keeps large sizes exact', async () => {
      const size = 5 * 1024 ** 4 + 7;
      await s.linkBlob('big', d('2'), size);
      expect(await s.getLinkedBlob('big', d('2'))).toEqual({ size });
    });

    it('stores upload sessions and moves their size only from the expected size', async () => {
      const now = new Date(1_700_000_000_000);
      const id = randomUUID();
      await s.createUpload({ id, repository: 'r', size: 0, algorithm: 'sha256', createdAt: now, updatedAt: now });
      expect(await s.setUploadSize(id, 0, 100, new Date(now.getTime() + 1000))).toBe(true);
      expect(await s.setUploadSize(id, 0, 200, now)).toBe(false);
      const upload = await s.getUpload(id);
      expect(upload).toMatchObject({ id, repository: 'r', size: 100, algorithm: 'sha256' });
      expect(upload!.updatedAt.getTime()).toBe(now.getTime() + 1000);
      expect((await s.listStaleUploads(new Date(now.getTime() + 500))).map((u) => u.id)).toEqual([]);
      expect((await s.listStaleUploads(new Date(now.getTime() + 5000))).map((u) => u.id)).toEqual([id]);
      await s.deleteUpload(id);
      expect(await s.getUpload(id)).toBeNull();
    });

    it('moves the digest state and layout version with its size, and only from the expected size', async () => {
      const now = new Date(1_700_000_000_000);
      const id = randomUUID();
      await s.createUpload({ id, repository: 'r', size: 0, algorithm: 'sha512', createdAt: now, updatedAt: now });
      expect(await s.getUpload(id)).toMatchObject({ hashState: null, blobVersion: null });
      const state = Uint8Array.from([0, 1, 2, 250, 255, 0, 7]);
      expect(await s.setUploadSize(id, 0, 10, now, { hashState: state, blobVersion: 'v1' })).toBe(true);
      expect(await s.setUploadSize(id, 0, 20, now, { hashState: Uint8Array.from([9]), blobVersion: 'lost' })).toBe(false);
      const upload = await s.getUpload(id);
      expect(upload).toMatchObject({ size: 10, algorithm: 'sha512', blobVersion: 'v1' });
      expect(Buffer.from(upload!.hashState!).equals(Buffer.from(state))).toBe(true);
      expect(await s.setUploadSize(id, 10, 30, now, { hashState: null, blobVersion: 'v2' })).toBe(true);
      expect(await s.getUpload(id)).toMatchObject({ size: 30, hashState: null, blobVersion: 'v2' });
      expect(await s.setUploadSize(id, 30, 40, now)).toBe(true);
      expect(await s.getUpload(id)).toMatchObject({ size: 40, blobVersion: 'v2' });
      expect((await s.listStaleUploads(new Date(now.getTime() + 1)))[0]).toMatchObject({ id, blobVersion: 'v2' });
    });

    it('finishes an upload and links its blob in one step', async () => {
      const now = new Date(1_700_000_000_000);
      const id = randomUUID();
      await s.createUpload({ id, repository: 'r/x', size: 0, algorithm: 'sha256', createdAt: now, updatedAt: now });
      expect(await s.claimBlob(d('9'), 7, new Date(), new Date(0))).toBe(true);
      await s.finishUpload(id, 'r/x', d('9'), 7);
      expect(await s.getUpload(id)).toBeNull();
      expect(await s.getLinkedBlob('r/x', d('9'))).toEqual({ size: 7 });
      expect(await s.repositoryExists('r/x')).toBe(true);
    });

    it('stores manifests with exact bytes, tags them, and reports missing references', async () => {
      await s.linkBlob('r', d('c'), 10);
      expect(await s.missingReferences('r', [{ digest: d('c'), kind: 'blob' }, { digest: d('e'), kind: 'blob' }, { digest: d('f'), kind: 'manifest' }])).toEqual([d('e'), d('f')]);
      const m = manifest('r', d('a'), { annotations: { k: 'v' }, artifactType: 'application/x' });
      await s.putManifest(m, [{ digest: d('c'), kind: 'blob' }], 'latest');
      const got = await s.getManifest('r', d('a'));
      expect(Buffer.from(got!.content).equals(Buffer.from(m.content))).toBe(true);
      expect(got).toMatchObject({ digest: d('a'), mediaType: m.mediaType, size: m.size, annotations: { k: 'v' }, artifactType: 'application/x' });
      expect(await s.statManifest('r', d('a'))).toMatchObject({ size: m.size });
      expect(await s.resolveTag('r', 'latest')).toBe(d('a'));
      expect(await s.missingReferences('r', [{ digest: d('a'), kind: 'manifest' }])).toEqual([]);
      await s.putManifest(manifest('r', d('b')), [], 'latest');
      expect(await s.resolveTag('r', 'latest')).toBe(d('b'));
    });

    it('finishes an upload of a blob the index never recorded by recording it, and tells recorded blobs apart', async () => {
      const now = new Date();
      const id = randomUUID();
      await s.createUpload({ id, repository: 'r/x', size: 0, algorithm: 'sha256', createdAt: now, updatedAt: now });
      expect(await s.hasBlobRecord(d('8'))).toBe(false);
      await s.finishUpload(id, 'r/x', d('8'), 7);
      expect(await s.hasBlobRecord(d('8'))).toBe(true);
      expect(await s.getLinkedBlob('r/x', d('8'))).toEqual({ size: 7 });
    });

    it('answers a touch of a linked blob with its size, and of an unlinked one with null', async () => {
      await s.linkBlob('r', d('c'), 10);
      expect(await s.touchBlobLink('r', d('c'), new Date(Date.now() + 5000))).toEqual({ size: 10 });
      expect(await s.touchBlobLink('r', d('d'), new Date())).toBeNull();
      expect(await s.touchBlobLink('other', d('c'), new Date())).toBeNull();
    });

    it('refuses a manifest whose blob link disappeared after the reference check, storing nothing', async () => {
      await s.linkBlob('r', d('c'), 10);
      expect(await s.missingReferences('r', [{ digest: d('c'), kind: 'blob' }])).toEqual([]);
      await s.unlinkBlob('r', d('c'));
      await expect(s.putManifest(manifest('r', d('a')), [{ digest: d('c'), kind: 'blob' }], 'v1')).rejects.toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN' });
      expect(await s.getManifest('r', d('a'))).toBeNull();
      expect(await s.resolveTag('r', 'v1')).toBeNull();
    });

    it('lists tags and repositories in byte order, paged after `last`', async () => {
      for (const tag of ['b', 'a', 'C', '1.0', 'a-1', '_x']) await s.putManifest(manifest('r', d('a')), [], tag);
      expect(await s.listTags('r', { limit: 100 })).toEqual(['1.0', 'C', '_x', 'a', 'a-1', 'b']);
      expect(await s.listTags('r', { limit: 2, last: 'C' })).toEqual(['_x', 'a']);
      for (const repo of ['z', 'a/b', 'a', 'a-b']) await s.linkBlob(repo, d('1'), 1);
      expect(await s.listRepositories({ limit: 100 })).toEqual(['a', 'a-b', 'a/b', 'r', 'z']);
      expect(await s.listRepositories({ limit: 2, last: 'a-b' })).toEqual(['a/b', 'r']);
    });

    it('lists tag records newest first and finds manifests by digest prefix', async () => {
      await s.putManifest({ ...manifest('r', d('a')), createdAt: new Date(1000) }, [], 'old');
      await s.putManifest({ ...manifest('r', d('b')), createdAt: new Date(2000) }, [], 'new');
      expect(await s.tagRecords('r')).toEqual([
        { tag: 'new', digest: d('b'), updatedAt: new Date(2000) },
        { tag: 'old', digest: d('a'), updatedAt: new Date(1000) },
      ]);
      expect(await s.findManifestDigests('r', 'a'.repeat(40), 5)).toEqual([d('a')]);
      expect(await s.findManifestDigests('r', 'c'.repeat(40), 5)).toEqual([]);
      expect(await s.findManifestDigests('r', "a' or 1=1", 5)).toEqual([]);
    });

    it('deletes a manifest together with its tags, and single tags', async () => {
      await s.putManifest(manifest('r', d('a')), [], 'one');
      await s.putManifest(manifest('r', d('a')), [], 'two');
      await s.putManifest(manifest('r', d('b')), [], 'three');
      expect(await s.deleteTag('r', 'three')).toBe(true);
      expect(await s.deleteTag('r', 'three')).toBe(false);
      expect(await s.getManifest('r', d('b'))).not.toBeNull();
      expect(await s.deleteManifest('r', d('a'))).toBe(true);
      expect(await s.deleteManifest('r', d('a'))).toBe(false);
      expect(await s.listTags('r', { limit: 10 })).toEqual([]);
    });

    it('refuses a guarded manifest delete when a tag outside the expected ones points at it, changing nothing', async () => {
      await s.putManifest(manifest('r', d('a')), [], 'old');
      await s.putManifest(manifest('r', d('a')), [], 'new');
      await expect(s.deleteManifest('r', d('a'), [], { onlyTags: ['old'] })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('new') });
      expect(await s.getManifest('r', d('a'))).not.toBeNull();
      expect(await s.listTags('r', { limit: 10 })).toEqual(['new', 'old']);
      expect(await s.deleteManifest('r', d('a'), [], { onlyTags: ['new', 'old', 'gone'] })).toBe(true);
      expect(await s.listTags('r', { limit: 10 })).toEqual([]);
    });

    it('lists a project\'s repositories that hold manifests, with counts, a name filter and offset pages', async () => {
      const at = (ms: number) => ({ createdAt: new Date(ms) });
      await s.putManifest(manifest('p/b', d('1'), at(1000)), [], 'v1');
      await s.putManifest(manifest('p/b', d('2'), at(3000)), [], 'v2');
      await s.putManifest(manifest('p/b', d('2'), at(3000)), [], 'latest');
      await s.putManifest(manifest('p/a_x/deep', d('3'), at(2000)), []);
      await s.putManifest(manifest('p/c%d', d('4'), at(2000)), [], 'x');
      await s.putManifest(manifest('p-other/a', d('5')), [], 'v1');
      await s.putManifest(manifest('p', d('6')), [], 'v1');
      await s.linkBlob('p/blobs-only', d('7'), 3);
      const all = await s.listProjectRepositories('p', { offset: 0, limit: 10 });
      expect(all.total).toBe(3);
      expect(all.items).toEqual([
        { name: 'p/a_x/deep', artifactCount: 1, tagCount: 0, updatedAt: new Date(2000) },
        { name: 'p/b', artifactCount: 2, tagCount: 3, updatedAt: new Date(3000) },
        { name: 'p/c%d', artifactCount: 1, tagCount: 1, updatedAt: new Date(2000) },
      ]);
      expect(await s.listProjectRepositories('p', { offset: 1, limit: 1 })).toEqual({ total: 3, items: [all.items[1]] });
      expect(await s.listProjectRepositories('p', { offset: 3, limit: 2 })).toEqual({ total: 3, items: [] });
      // LIKE wildcards in the filter are literal.
      expect((await s.listProjectRepositories('p', { contains: '_', offset: 0, limit: 10 })).items.map((r) => r.name)).toEqual(['p/a_x/deep']);
      expect((await s.listProjectRepositories('p', { contains: '%', offset: 0, limit: 10 })).items.map((r) => r.name)).toEqual(['p/c%d']);
      expect((await s.listProjectRepositories('p', { contains: 'deep', offset: 0, limit: 10 })).total).toBe(1);
      expect((await s.listProjectRepositories('p', { contains: 'p/', offset: 0, limit: 10 })).total).toBe(0);
      expect(await s.repositorySummary('p/b')).toEqual(all.items[1]);
      expect(await s.repositorySummary('p/blobs-only')).toBeNull();
      expect(await s.repositorySummary('p/none')).toBeNull();
    });

    it('lists artifacts newest first with tags, sizes over distinct linked blobs and no pull time yet', async () => {
      await s.linkBlob('p/r', d('c'), 100);
      await s.linkBlob('p/r', d('e'), 5_000_000_000);
      const image = manifest('p/r', d('a'), { createdAt: new Date(1000), artifactType: 'application/x', subject: d('s') });
      await s.putManifest(image, [{ digest: d('c'), kind: 'blob' }, { digest: d('e'), kind: 'blob' }, { digest: d('c'), kind: 'blob' }], 'one');
      await s.putManifest({ ...image, createdAt: new Date(5000) }, [], 'two');
      const index = manifest('p/r', d('b'), { createdAt: new Date(2000), mediaType: 'application/vnd.oci.image.index.v1+json' });
      await s.putManifest(index, [{ digest: d('a'), kind: 'manifest' }], 'idx');
      await s.putManifest(manifest('p/r', d('f'), { createdAt: new Date(2000) }), []);
      const listed = await s.listArtifacts('p/r', { offset: 0, limit: 10 });
      expect(listed.total).toBe(3);
      expect(listed.items.map((a) => a.digest)).toEqual([d('b'), d('f'), d('a')]);
      expect(listed.items[2]).toMatchObject({
        digest: d('a'), size: image.size, totalSize: image.size + 100 + 5_000_000_000, artifactType: 'application/x', subject: d('s'), pulledAt: null,
        tags: [{ name: 'two', updatedAt: new Date(5000) }, { name: 'one', updatedAt: new Date(1000) }],
      });
      expect(listed.items[0]).toMatchObject({ totalSize: index.size, tags: [{ name: 'idx' }] });
      expect(listed.items[1]).toMatchObject({ totalSize: listed.items[1]!.size, tags: [] });
      expect((await s.listArtifacts('p/r', { offset: 1, limit: 1 })).items.map((a) => a.digest)).toEqual([d('f')]);
      expect(await s.artifactSummary('p/r', d('a'))).toEqual(listed.items[2]);
      expect(await s.artifactSummary('p/r', d('9'))).toBeNull();
      expect(await s.listArtifacts('p/none', { offset: 0, limit: 10 })).toEqual({ total: 0, items: [] });
      expect(await s.repositoryContents('p/r')).toEqual([
        { digest: d('a'), tags: ['one', 'two'] },
        { digest: d('b'), tags: ['idx'] },
        { digest: d('f'), tags: [] },
      ]);
    });

    it('lists referrers of a subject, filtered by artifactType and paged by digest', async () => {
      for (const [c, type] of [['1', 'x'], ['2', 'y'], ['3', 'x'], ['4', 'x']] as const) {
        await s.putManifest(manifest('r', d(c), { subject: d('s'), artifactType: type }), []);
      }
      await s.putManifest(manifest('other', d('5'), { subject: d('s'), artifactType: 'x' }), []);
      expect((await s.listReferrers('r', d('s'), { limit: 10 })).map((m) => m.digest)).toEqual([d('1'), d('2'), d('3'), d('4')]);
      expect((await s.listReferrers('r', d('s'), { limit: 10, artifactType: 'x' })).map((m) => m.digest)).toEqual([d('1'), d('3'), d('4')]);
      expect((await s.listReferrers('r', d('s'), { limit: 2, last: d('1'), artifactType: 'x' })).map((m) => m.digest)).toEqual([d('3'), d('4')]);
      expect(await s.listReferrers('r', d('9'), { limit: 10 })).toEqual([]);
    });
  });
}
