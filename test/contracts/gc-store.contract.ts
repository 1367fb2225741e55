// The GcStore contract, with the RegistryStore of the same database: every relational driver must pass
// these checks. They pin down the rows GC relies on: leases, collectable links and blobs, and how a
// `sweeping` mark shuts out claims and links until it is finished, undone or abandoned.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GcStore } from '../../src/core/ports/gc-store.js';
import type { RegistryStore, StoredManifest } from '../../src/core/ports/registry-store.js';

/** A fresh, empty database seen through both ports, and how to dispose of it. */
export interface GcStoreHarness {
  registry: RegistryStore;
  gc: GcStore;
  dispose(): Promise<void>;
}

const d = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;
const FUTURE = () => new Date(Date.now() + 60_000);
const PAST = () => new Date(Date.now() - 60_000);

function manifest(repository: string, digest: string): StoredManifest {
  const content = Buffer.from(`{"schemaVersion":2,"x":"${digest}"}`);
  return { repository, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: content.length, createdAt: new Date(), content };
}

/** Registers the contract suite for a driver. */
export function gcStoreContract(driver: string, create: () => Promise<GcStoreHarness>): void {
  describe(`GcStore contract: ${driver}`, () => {
    let h: GcStoreHarness;
    let gc: GcStore;
    let reg: RegistryStore;
    beforeEach(async () => {
      h = await create();
      gc = h.gc;
      reg = h.registry;
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('lets one holder at a time have the lease, until it expires or is released', async () => {
      const t = Date.now();
      expect(await gc.acquireLease('a', new Date(t + 1000), new Date(t))).toBe(true);
      expect(await gc.acquireLease('b', new Date(t + 1000), new Date(t + 10))).toBe(false);
      expect(await gc.acquireLease('a', new Date(t + 2000), new Date(t + 20))).toBe(true);
      expect(await gc.acquireLease('b', new Date(t + 3000), new Date(t + 1500))).toBe(false);
      expect(await gc.acquireLease('b', new Date(t + 5000), new Date(t + 2001))).toBe(true);
      await gc.releaseLease('a');
      expect(await gc.acquireLease('c', new Date(t + 5000), new Date(t + 2002))).toBe(false);
      await gc.releaseLease('b');
      expect(await gc.acquireLease('c', new Date(t + 5000), new Date(t + 2003))).toBe(true);
    });

    it('collects only links that no manifest of their repository references and nothing used recently', async () => {
      await reg.linkBlob('r', d('1'), 1);
      await reg.linkBlob('r', d('2'), 2);
      await reg.linkBlob('other', d('1'), 1);
      await reg.putManifest(manifest('r', d('a')), [{ digest: d('1'), kind: 'blob' }], 'v1');
      expect(await gc.countCollectableLinks(PAST())).toBe(0);
      expect(await gc.countCollectableLinks(FUTURE())).toBe(2);
      expect(await gc.deleteCollectableLinks(PAST(), 10)).toEqual({ examined: 0, deleted: 0 });
      expect(await gc.deleteCollectableLinks(FUTURE(), 1)).toEqual({ examined: 1, deleted: 1 });
      expect(await gc.deleteCollectableLinks(FUTURE(), 10)).toEqual({ examined: 1, deleted: 1 });
      expect(await reg.getLinkedBlob('r', d('1'))).toEqual({ size: 1 });
      expect(await reg.getLinkedBlob('r', d('2'))).toBeNull();
      expect(await reg.getLinkedBlob('other', d('1'))).toBeNull();
    });

    it('lists live blobs that no manifest references and no fresh link keeps, in digest order', async () => {
      await reg.linkBlob('r', d('1'), 1);
      await reg.putManifest(manifest('r', d('a')), [{ digest: d('1'), kind: 'blob' }], 'v1');
      expect(await reg.claimBlob(d('3'), 3, new Date(), new Date(0))).toBe(true);
      await reg.linkBlob('r', d('2'), 2);
      expect(await gc.listCollectableBlobs(FUTURE(), FUTURE(), undefined, 10)).toEqual([{ digest: d('2'), size: 2 }, { digest: d('3'), size: 3 }]);
      expect(await gc.listCollectableBlobs(PAST(), FUTURE(), undefined, 10)).toEqual([{ digest: d('3'), size: 3 }]);
      expect(await gc.listCollectableBlobs(FUTURE(), PAST(), undefined, 10)).toEqual([]);
      expect(await gc.listCollectableBlobs(FUTURE(), FUTURE(), d('2'), 10)).toEqual([{ digest: d('3'), size: 3 }]);
      expect(await gc.listCollectableBlobs(FUTURE(), FUTURE(), undefined, 1)).toEqual([{ digest: d('2'), size: 2 }]);
    });

    it('marks only a blob that is live, old, unlinked and unreferenced', async () => {
      await reg.linkBlob('r', d('1'), 1);
      await reg.claimBlob(d('2'), 2, new Date(), new Date(0));
      await reg.linkBlob('r', d('4'), 4);
      await reg.putManifest(manifest('r', d('a')), [{ digest: d('4'), kind: 'blob' }]);
      await reg.unlinkBlob('r', d('4'));
      expect(await gc.markSweeping(d('1'), FUTURE(), new Date())).toBe(false);
      expect(await gc.markSweeping(d('4'), FUTURE(), new Date())).toBe(false);
      expect(await gc.markSweeping(d('2'), PAST(), new Date())).toBe(false);
      expect(await gc.markSweeping(d('9'), FUTURE(), new Date())).toBe(false);
      expect(await gc.markSweeping(d('2'), FUTURE(), new Date())).toBe(true);
      expect(await gc.markSweeping(d('2'), FUTURE(), new Date())).toBe(false);
    });

    it('shuts out claims, links and upload commits while a blob is sweeping, until unmarked', async () => {
      const id = randomUUID();
      const now = new Date();
      await reg.createUpload({ id, repository: 'r', size: 0, algorithm: 'sha256', createdAt: now, updatedAt: now });
      expect(await reg.claimBlob(d('2'), 2, new Date(), new Date(0))).toBe(true);
      expect(await gc.markSweeping(d('2'), FUTURE(), new Date())).toBe(true);
      expect(await reg.claimBlob(d('2'), 2, new Date(), new Date(0))).toBe(false);
      expect(await reg.linkBlob('r', d('2'), 2)).toBe(false);
      expect(await reg.getLinkedBlob('r', d('2'))).toBeNull();
      await expect(reg.finishUpload(id, 'r', d('2'), 2)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(await reg.getUpload(id)).not.toBeNull();
      expect(await gc.listCollectableBlobs(FUTURE(), FUTURE(), undefined, 10)).toEqual([]);
      await gc.unmarkSweeping(d('2'));
      expect(await reg.claimBlob(d('2'), 2, new Date(), new Date(0))).toBe(true);
      await reg.finishUpload(id, 'r', d('2'), 2);
      expect(await reg.getLinkedBlob('r', d('2'))).toEqual({ size: 2 });
    });

    it('forgets a swept blob, after which a claim starts it afresh', async () => {
      await reg.claimBlob(d('2'), 2, new Date(), new Date(0));
      expect(await gc.markSweeping(d('2'), FUTURE(), new Date())).toBe(true);
      await gc.finishSweep(d('2'));
      expect(await gc.listCollectableBlobs(FUTURE(), FUTURE(), undefined, 10)).toEqual([]);
      expect(await reg.linkBlob('r', d('2'), 2)).toBe(true);
      expect(await gc.markSweeping(d('2'), FUTURE(), new Date())).toBe(false);
    });

    it('lists abandoned sweeps; the next GC retakes one, or a writer takes it back to live', async () => {
      await reg.claimBlob(d('2'), 2, new Date(), new Date(0));
      await reg.claimBlob(d('3'), 3, new Date(), new Date(0));
      expect(await gc.markSweeping(d('2'), FUTURE(), new Date(1000))).toBe(true);
      expect(await gc.markSweeping(d('3'), FUTURE(), new Date(1000))).toBe(true);
      expect(await gc.listAbandonedSweeps(new Date(500), 10)).toEqual([]);
      expect(await gc.listAbandonedSweeps(new Date(2000), 10)).toEqual([
        { digest: d('2'), size: 2, markedAt: new Date(1000) },
        { digest: d('3'), size: 3, markedAt: new Date(1000) },
      ]);
      expect(await gc.retakeSweep(d('2'), new Date(1000), new Date())).toBe(true);
      expect(await gc.retakeSweep(d('2'), new Date(1000), new Date())).toBe(false);
      expect(await reg.claimBlob(d('2'), 2, new Date(), new Date(2000))).toBe(false);
      expect(await reg.claimBlob(d('3'), 3, new Date(), new Date(500))).toBe(false);
      expect(await reg.claimBlob(d('3'), 3, new Date(), new Date(2000))).toBe(true);
      expect(await gc.retakeSweep(d('3'), new Date(1000), new Date())).toBe(false);
      expect(await reg.linkBlob('r', d('3'), 3)).toBe(true);
    });

    it('records runs and lists them newest first', async () => {
      const run = { holder: 'h', startedAt: new Date(5000), durationMs: 12, dryRun: false, graceSeconds: 7200, linksDeleted: 1, blobsDeleted: 2, bytesFreed: 5 * 1024 ** 4, error: null };
      const first = await gc.recordRun(run);
      const second = await gc.recordRun({ ...run, dryRun: true, error: 'boom' });
      expect(second.id).toBeGreaterThan(first.id);
      expect(await gc.listRuns(10)).toEqual([second, first]);
      expect(await gc.listRuns(1)).toEqual([second]);
    });
  });
}
