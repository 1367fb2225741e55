// The PolicyStore contract, with the usage bookkeeping the RegistryStore does for it: immutability rule
// CRUD, project usage (distinct blobs plus manifests, booked on push and released on delete), hard
// limits refused inside the push transaction (also between concurrent pushes), immutable tags that a
// racing push cannot move, and the repair that recomputes usage. Every relational driver must pass.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { domainEvent } from '../../src/core/events/domain-events.js';
import type { ManifestReference } from '../../src/core/oci/manifest.js';
import type { PolicyStore, UsageChange } from '../../src/core/ports/policy-store.js';
import type { RegistryStore, StoredManifest } from '../../src/core/ports/registry-store.js';

/** Fresh, empty stores sharing one database, and how to dispose of them. */
export interface PolicyStoreHarness {
  policies: PolicyStore;
  registry: RegistryStore;
  dispose(): Promise<void>;
}

const T0 = new Date(1_700_000_000_000);
const d = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;

function manifest(repository: string, digest: string, size = 100): StoredManifest {
  const content = Buffer.from(`{"schemaVersion":2,"x":"${digest}"}`);
  return { repository, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size, createdAt: T0, content };
}

const blobs = (...digests: string[]): ManifestReference[] => digests.map((digest) => ({ digest, kind: 'blob' }));

/** Registers the contract suite for a driver. */
export function policyStoreContract(driver: string, create: () => Promise<PolicyStoreHarness>): void {
  describe(`PolicyStore contract: ${driver}`, () => {
    let h: PolicyStoreHarness;
    let p: PolicyStore;
    let r: RegistryStore;
    beforeEach(async () => {
      h = await create();
      p = h.policies;
      r = h.registry;
    });
    afterEach(async () => {
      await h.dispose();
    });

    const used = async (project: string) => (await p.getQuota(project))?.used ?? 0;

    it('creates, lists, changes and deletes immutability rules per project', async () => {
      const base = { repository: '**', repositoryDecoration: 'matches' as const, tagDecoration: 'matches' as const, disabled: false, createdBy: 'alice', createdAt: T0, updatedAt: T0 };
      const a = await p.createImmutableRule({ ...base, project: 'team', tag: 'v*' });
      const b = await p.createImmutableRule({ ...base, project: 'team', repository: 'llama/*', tag: '{prod,release-*}', tagDecoration: 'excludes' });
      await p.createImmutableRule({ ...base, project: 'other', tag: '**' });
      expect(a.id).not.toBe(b.id);
      expect(await p.getImmutableRule('team', a.id)).toEqual(a);
      expect(await p.getImmutableRule('other', a.id)).toBeNull();
      expect((await p.listImmutableRules('team')).map((x) => x.tag)).toEqual(['v*', '{prod,release-*}']);
      expect(b).toMatchObject({ repository: 'llama/*', tagDecoration: 'excludes', disabled: false, createdBy: 'alice', createdAt: T0 });

      const later = new Date(T0.getTime() + 5000);
      expect(await p.updateImmutableRule('team', a.id, { disabled: true, tag: 'v1*' }, later)).toMatchObject({ id: a.id, disabled: true, tag: 'v1*', repository: '**', updatedAt: later });
      expect(await p.updateImmutableRule('other', a.id, { disabled: false }, later)).toBeNull();
      expect(await p.deleteImmutableRule('other', a.id)).toBe(false);
      expect(await p.deleteImmutableRule('team', a.id)).toBe(true);
      expect(await p.deleteImmutableRule('team', a.id)).toBe(false);
      expect((await p.listImmutableRules('team')).map((x) => x.id)).toEqual([b.id]);
    });

    it('books distinct blobs and manifests once per project, and releases them with the last reference', async () => {
      for (const repo of ['team/a', 'team/b', 'other/a']) {
        await r.linkBlob(repo, d('1'), 1000);
        await r.linkBlob(repo, d('2'), 20);
      }
      await r.linkBlob('team/a', d('3'), 300);
      await r.putManifest(manifest('team/a', d('a'), 10), blobs(d('1'), d('2')), 'v1');
      expect(await used('team')).toBe(1000 + 20 + 10);
      // Same blobs from another repository of the project: only the new manifest counts.
      await r.putManifest(manifest('team/b', d('b'), 11), blobs(d('1'), d('2')), 'v1');
      expect(await used('team')).toBe(1000 + 20 + 10 + 11);
      // The same manifest again (another tag) changes nothing; the same manifest digest in another repository neither.
      await r.putManifest(manifest('team/a', d('a'), 10), blobs(d('1'), d('2')), 'again');
      await r.linkBlob('team/b', d('3'), 300);
      await r.putManifest(manifest('team/b', d('a'), 10), blobs(d('1'), d('2')), 'copy');
      expect(await used('team')).toBe(1041);
      await r.putManifest(manifest('team/a', d('c'), 12), blobs(d('3'), d('3')), 'v2');
      expect(await used('team')).toBe(1041 + 300 + 12);
      await r.putManifest(manifest('other/a', d('a'), 10), blobs(d('1')), 'v1');
      expect(await used('other')).toBe(1010);

      expect(await r.deleteManifest('team/a', d('a'))).toBe(true);
      expect(await used('team')).toBe(1353); // team/b still holds manifest a and both blobs
      expect(await r.deleteManifest('team/b', d('a'))).toBe(true);
      expect(await used('team')).toBe(1353 - 10);
      expect(await r.deleteManifest('team/b', d('b'))).toBe(true);
      expect(await used('team')).toBe(1343 - 11 - 1000 - 20);
      expect(await r.deleteTag('team/a', 'v2')).toBe(true);
      expect(await used('team')).toBe(312); // deleting a tag keeps the manifest
      expect(await used('other')).toBe(1010);

      const repaired = await p.recomputeUsage();
      expect(repaired).toEqual(expect.arrayContaining([{ project: 'team', before: 312, after: 312 }, { project: 'other', before: 1010, after: 1010 }]));
    });

    it('refuses a push over the hard limit inside its transaction and stores nothing', async () => {
      await r.linkBlob('team/app', d('1'), 600);
      await r.linkBlob('team/app', d('2'), 500);
      expect(await p.setHardLimit('team', 1000)).toEqual({ project: 'team', hard: 1000, used: 0 });
      const changes: UsageChange[] = [];
      const quota = { defaultHard: -1, onCharged: (c: UsageChange) => (changes.push(c), [domainEvent('quota.warning', c.project, 'alice', T0, {})]) };
      await r.putManifest(manifest('team/app', d('a'), 100), blobs(d('1')), 'v1', [], { quota });
      expect(changes).toEqual([{ project: 'team', hard: 1000, before: 0, added: 700 }]);
      const refused = r.putManifest(manifest('team/app', d('b'), 100), blobs(d('2')), 'v2', [], { quota });
      await expect(refused).rejects.toMatchObject({ code: 'DENIED', detail: { reason: 'quota', project: 'team', hard: 1000, used: 700, added: 600 } });
      await expect(refused).rejects.toThrow(/quota exceeded: project team uses 700 B of 1000 B; this push adds 600 B/);
      expect(await r.statManifest('team/app', d('b'))).toBeNull();
      expect(await r.resolveTag('team/app', 'v2')).toBeNull();
      expect(await used('team')).toBe(700);
      // A tag on content the project already holds adds nothing and always fits.
      await r.putManifest(manifest('team/app', d('a'), 100), blobs(d('1')), 'latest', [], { quota });
      expect(await r.resolveTag('team/app', 'latest')).toBe(d('a'));
      // Freeing space lets it through; -1 lifts the limit; null falls back to the default.
      expect(await r.deleteManifest('team/app', d('a'))).toBe(true);
      await r.putManifest(manifest('team/app', d('b'), 100), blobs(d('2')), 'v2', [], { quota });
      expect(await used('team')).toBe(600);
      await p.setHardLimit('team', null);
      await expect(r.putManifest(manifest('team/app', d('a'), 100), blobs(d('1')), 'v1', [], { quota: { defaultHard: 650 } })).rejects.toMatchObject({ code: 'DENIED' });
      await p.setHardLimit('team', -1);
      await r.putManifest(manifest('team/app', d('a'), 100), blobs(d('1')), 'v1', [], { quota: { defaultHard: 650 } });
      expect(await p.getQuota('team')).toEqual({ project: 'team', hard: -1, used: 1300 });
      expect((await p.listQuotas()).map((q) => q.project)).toEqual(['team']);
    });

    it('lets exactly one of two concurrent pushes through when only one fits', async () => {
      for (let round = 0; round < 5; round++) {
        const project = `race${round}`;
        await r.linkBlob(`${project}/a`, d('1'), 600);
        await r.linkBlob(`${project}/b`, d('2'), 600);
        await p.setHardLimit(project, 1000);
        const results = await Promise.allSettled([
          r.putManifest(manifest(`${project}/a`, d('a'), 50), blobs(d('1')), 'v1'),
          r.putManifest(manifest(`${project}/b`, d('b'), 50), blobs(d('2')), 'v1'),
        ]);
        expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
        expect(results.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason.code)).toEqual(['DENIED']);
        expect(await used(project)).toBe(650);
      }
    });

    it('counts a blob shared by concurrent pushes once', async () => {
      const repos = Array.from({ length: 6 }, (_, i) => `team/r${i}`);
      for (const repo of repos) await r.linkBlob(repo, d('1'), 5000);
      await Promise.all(repos.map((repo, i) => r.putManifest(manifest(repo, d(String.fromCharCode(97 + i)), 10), blobs(d('1')), 'v1')));
      expect(await used('team')).toBe(5000 + 6 * 10);
      await Promise.all(repos.slice(0, 3).map((repo, i) => r.deleteManifest(repo, d(String.fromCharCode(97 + i)))));
      expect(await used('team')).toBe(5000 + 3 * 10);
      expect(await p.recomputeUsage('team')).toEqual([{ project: 'team', before: 5030, after: 5030 }]);
    });

    it('repairs drifted usage from the stored manifests', async () => {
      await r.linkBlob('team/a', d('1'), 70);
      await r.putManifest(manifest('team/a', d('a'), 30), blobs(d('1')), 'v1');
      await r.putManifest(manifest('team', d('b'), 5), [], 'root');
      await r.putManifest(manifest('teamx/a', d('c'), 9), [], 'v1');
      await r.putManifest(manifest('team-b/a', d('c'), 9), [], 'v1');
      await r.unlinkBlob('team/a', d('1')); // a link removed under a manifest: the size still comes from the blob index
      expect(await used('team')).toBe(105);
      expect(await p.recomputeUsage('team')).toEqual([{ project: 'team', before: 105, after: 105 }]);
      expect(await p.recomputeUsage('nothing')).toEqual([{ project: 'nothing', before: 0, after: 0 }]);
      expect((await p.recomputeUsage()).map((x) => x.project)).toEqual(['nothing', 'team', 'team-b', 'teamx']);
    });

    it('never moves an immutable tag, even for a push that did not see it', async () => {
      await r.putManifest(manifest('team/app', d('a')), [], 'v1');
      const refused = r.putManifest(manifest('team/app', d('b')), [], 'v1', [], { immutableTag: 'tag v1 of team/app is immutable (rule 1)' });
      await expect(refused).rejects.toMatchObject({ code: 'DENIED', message: 'tag v1 of team/app is immutable (rule 1)' });
      expect(await r.resolveTag('team/app', 'v1')).toBe(d('a'));
      expect(await r.statManifest('team/app', d('b'))).toBeNull();
      await r.putManifest(manifest('team/app', d('a')), [], 'v1', [], { immutableTag: 'x' });
      await r.putManifest(manifest('team/app', d('b')), [], 'v2', [], { immutableTag: 'x' });
      expect(await r.resolveTag('team/app', 'v2')).toBe(d('b'));
      await r.putManifest(manifest('team/app', d('b')), [], 'latest');
      expect(await r.tagsOf('team/app', d('b'))).toEqual(['latest', 'v2']);
      expect(await r.tagsOf('team/app', d('c'))).toEqual([]);
    });
  });
}
