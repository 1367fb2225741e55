// The RetentionStore contract, with the RegistryStore and ModelStore of the same database: every
// relational driver must pass these checks. They pin down policy CRUD, the artifact facts a plan is
// made from (tags, push and pull times, index children, referrers, alias protection), pull times that
// never move back, the record of runs, and the per-project lease (one starter wins; a lapsed lease is
// taken over and its run marked failed).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelStore } from '../../src/core/ports/model-store.js';
import type { RegistryStore, StoredManifest } from '../../src/core/ports/registry-store.js';
import type { Decision } from '../../src/core/retention/decide.js';
import type { RetentionPolicy } from '../../src/core/retention/policy.js';
import type { RetentionStore, RunStart } from '../../src/core/retention/retention-store.js';

/** A fresh, empty database seen through the ports retention reads, and how to dispose of it. */
export interface RetentionStoreHarness {
  retention: RetentionStore;
  registry: RegistryStore;
  models: ModelStore;
  dispose(): Promise<void>;
}

const d = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;
const T0 = 1_700_000_000_000;
const POLICY: RetentionPolicy = {
  enabled: true,
  rules: [{ disabled: false, template: 'latestPushedK', params: { latestPushedK: 3 }, tagSelector: { decoration: 'matches', pattern: 'v*' }, repositorySelector: { decoration: 'repoMatches', pattern: '**' } }],
};

function manifest(repository: string, digest: string, at: number, subject?: string): StoredManifest {
  const content = Buffer.from(`{"schemaVersion":2,"x":"${digest}"}`);
  return { repository, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: content.length, createdAt: new Date(at), content, subject };
}

/** Registers the contract suite for a driver. */
export function retentionStoreContract(driver: string, create: () => Promise<RetentionStoreHarness>): void {
  describe(`RetentionStore contract: ${driver}`, () => {
    let h: RetentionStoreHarness;
    let store: RetentionStore;
    beforeEach(async () => {
      h = await create();
      store = h.retention;
    });
    afterEach(async () => {
      await h.dispose();
    });

    const start = (project: string, holder: string, at: number, leaseMs = 60_000): RunStart =>
      ({ project, dryRun: false, trigger: 'manual', operator: 'ann', holder, at: new Date(at), leaseUntil: new Date(at + leaseMs) });

    it('stores, replaces, lists scheduled and deletes policies', async () => {
      expect(await store.getPolicy('team')).toBeNull();
      await store.putPolicy({ project: 'team', policy: POLICY, updatedAt: new Date(T0), updatedBy: 'ann' });
      expect(await store.getPolicy('team')).toEqual({ project: 'team', policy: POLICY, updatedAt: new Date(T0), updatedBy: 'ann' });
      expect(await store.listScheduledPolicies()).toEqual([]);
      await store.putPolicy({ project: 'team', policy: { ...POLICY, schedule: { intervalHours: 6 } }, updatedAt: new Date(T0 + 1), updatedBy: 'bob' });
      await store.putPolicy({ project: 'off', policy: { ...POLICY, enabled: false, schedule: { intervalHours: 6 } }, updatedAt: new Date(T0), updatedBy: 'bob' });
      expect((await store.listScheduledPolicies()).map((p) => [p.project, p.updatedBy, p.policy.schedule])).toEqual([['team', 'bob', { intervalHours: 6 }]]);
      expect(await store.deletePolicy('team')).toBe(true);
      expect(await store.deletePolicy('team')).toBe(false);
      expect(await store.getPolicy('team')).toBeNull();
    });

    it('lists the repositories of one project only', async () => {
      for (const repo of ['team/app', 'team/models/llm', 'teams/app', 'team-x/app', 'other/app']) await h.registry.linkBlob(repo, d('1'), 1);
      expect(await store.listRepositories('team')).toEqual(['team/app', 'team/models/llm']);
    });

    it('reads artifact facts: tags, push time (tag moves count), pulls, index children, subjects, alias protection', async () => {
      await h.registry.linkBlob('team/app', d('b'), 1);
      await h.registry.putManifest(manifest('team/app', d('1'), T0), [{ digest: d('b'), kind: 'blob' }], 'v1');
      await h.registry.putManifest(manifest('team/app', d('2'), T0 + 10), [{ digest: d('b'), kind: 'blob' }], 'v2');
      await h.registry.putManifest(manifest('team/app', d('i'), T0 + 20), [{ digest: d('1'), kind: 'manifest' }], 'multi');
      await h.registry.putManifest(manifest('team/app', d('s'), T0 + 30, d('2')), [{ digest: d('b'), kind: 'blob' }]);
      await h.registry.putManifest(manifest('team/app', d('2'), T0 + 40), [{ digest: d('b'), kind: 'blob' }], 'latest');
      await store.recordPulls([{ repository: 'team/app', digest: d('1'), at: new Date(T0 + 50) }]);

      const facts = new Map((await store.listArtifacts('team/app')).map((a) => [a.digest, a]));
      expect(facts.size).toBe(4);
      expect(facts.get(d('1'))).toMatchObject({ tags: ['v1'], subject: null, children: [], pulledAt: new Date(T0 + 50) });
      expect(facts.get(d('2'))!.tags).toEqual(['latest', 'v2']);
      // Tagging it again counts as a push.
      expect(facts.get(d('2'))!.pushedAt).toEqual(new Date(T0 + 40));
      expect(facts.get(d('2'))!.pulledAt).toBeNull();
      expect(facts.get(d('i'))).toMatchObject({ tags: ['multi'], children: [d('1')] });
      expect(facts.get(d('s'))).toMatchObject({ tags: [], subject: d('2'), pushedAt: new Date(T0 + 30) });
      expect(facts.get(d('1'))!.protectedBy).toBeUndefined();

      const rm = await h.models.createEntity({ kind: 'registered-model', name: 'team/app', externalId: null, description: null, project: 'team', parentId: null, runId: null, state: 'LIVE', fields: {}, customProperties: {}, createdAt: T0 });
      const v = await h.models.createEntity({ kind: 'model-version', name: 'v1', externalId: null, description: null, project: 'team', parentId: rm.id, runId: null, state: 'LIVE', fields: {}, customProperties: {}, createdAt: T0 });
      await h.models.putBinding({ versionId: v.id, modelId: rm.id, artifactId: v.id, repository: 'team/app', digest: d('1'), tag: 'v1', createdAt: T0 });
      expect((await store.artifactState('team/app', d('1')))!.protectedBy).toBeUndefined();
      await h.models.moveAlias({ modelId: rm.id, alias: 'production', versionId: v.id, actor: 'ann', at: T0 });
      expect((await store.listArtifacts('team/app')).find((a) => a.digest === d('1'))!.protectedBy).toMatch(/production/);

      const state = await store.artifactState('team/app', d('1'));
      expect(state).toMatchObject({ tags: ['v1'], protectedBy: expect.stringMatching(/production/) });
      expect(state!.pushedAt.getTime()).toBeGreaterThanOrEqual(T0);
      await h.registry.deleteManifest('team/app', d('2'));
      expect(await store.artifactState('team/app', d('2'))).toBeNull();
      expect(await store.listArtifacts('team/none')).toEqual([]);
    });

    it('keeps the latest pull time of a manifest, never moving it back', async () => {
      await h.registry.linkBlob('team/app', d('b'), 1);
      await h.registry.putManifest(manifest('team/app', d('1'), T0), [{ digest: d('b'), kind: 'blob' }], 'v1');
      const pulledAt = async () => (await store.listArtifacts('team/app'))[0]!.pulledAt?.getTime();
      await store.recordPulls([{ repository: 'team/app', digest: d('1'), at: new Date(T0 + 100) }]);
      expect(await pulledAt()).toBe(T0 + 100);
      await store.recordPulls([{ repository: 'team/app', digest: d('1'), at: new Date(T0 + 50) }]);
      expect(await pulledAt()).toBe(T0 + 100);
      await store.recordPulls([{ repository: 'team/app', digest: d('1'), at: new Date(T0 + 200) }, { repository: 'team/app', digest: d('9'), at: new Date(T0) }]);
      expect(await pulledAt()).toBe(T0 + 200);
    });

    it('lets exactly one of two concurrent starters take a project lease; other projects run alongside', async () => {
      const now = Date.now();
      const [a, b] = await Promise.all([store.startRun(start('team', 'a', now)), store.startRun(start('team', 'b', now))]);
      expect([a, b].filter((r) => r !== null)).toHaveLength(1);
      expect(await store.startRun(start('team', 'c', now + 1))).toBeNull();
      expect(await store.startRun(start('other', 'c', now + 1))).not.toBeNull();
      const winner = (a ?? b)!;
      expect(winner).toMatchObject({ project: 'team', status: 'running', dryRun: false, trigger: 'manual', operator: 'ann', finishedAt: null, error: null });
      expect(await store.renewLease('team', winner.holder, new Date(now + 120_000))).toBe(true);
      expect(await store.renewLease('team', 'c', new Date(now + 120_000))).toBe(false);
    });

    it('lets a lapsed lease be taken over and marks the abandoned run failed', async () => {
      const now = Date.now();
      const first = (await store.startRun(start('team', 'a', now, 1000)))!;
      expect(await store.startRun(start('team', 'b', now + 500))).toBeNull();
      const second = (await store.startRun(start('team', 'b', now + 1001)))!;
      expect(second).not.toBeNull();
      expect(await store.renewLease('team', 'a', new Date(now + 5000))).toBe(false);
      expect(await store.getRun('team', first.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/abandoned/) });
      expect((await store.listRuns('team', 10)).map((r) => r.id)).toEqual([second.id, first.id]);
    });

    it('records how a run ended with its decisions, frees the lease, and lists runs newest first', async () => {
      const now = Date.now();
      expect(await store.lastRunAt('team')).toBeNull();
      const run = (await store.startRun(start('team', 'a', now)))!;
      const decisions: Decision[] = Array.from({ length: 450 }, (_, i) => ({
        repository: 'team/app', digest: d(String(i % 10)), tags: [`v${i}`], pushedAt: new Date(T0 + i), action: i % 2 ? 'deleted' : 'retained', rule: i % 2 ? null : 0, reason: i % 2 ? 'not retained by any rule' : 'latestPushedK',
      }));
      const counts = { candidates: 450, retained: 225, deleted: 225, skipped: 0, failed: 0 };
      await store.finishRun(run.id, 'team', 'a', { status: 'succeeded', counts, error: null, at: new Date(now + 5) }, decisions, []);
      expect(await store.getRun('team', run.id)).toMatchObject({ status: 'succeeded', counts, finishedAt: new Date(now + 5), error: null });
      expect(await store.getRun('other', run.id)).toBeNull();
      expect(await store.listDecisions(run.id, 1000)).toEqual(decisions);
      expect(await store.listDecisions(run.id, 2)).toEqual(decisions.slice(0, 2));
      const next = (await store.startRun(start('team', 'b', now + 10)))!;
      expect(next).not.toBeNull();
      expect((await store.getRun('team', run.id))!.status).toBe('succeeded');
      expect((await store.listRuns('team', 10)).map((r) => r.id)).toEqual([next.id, run.id]);
      expect((await store.listRuns('team', 1)).map((r) => r.id)).toEqual([next.id]);
      expect(await store.lastRunAt('team')).toEqual(new Date(now + 10));
    });
  });
}
