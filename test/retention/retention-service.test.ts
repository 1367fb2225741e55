// RetentionService over the real SQLite stores and the real RegistryService, for what HTTP cannot time:
// a tag or push that lands between a run's plan and its delete is not deleted (the store is wrapped so
// the change happens exactly in that gap), the protection hook and model aliases keep artifacts,
// one run per project at a time, and scheduled runs start once per interval across two "replicas".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStores, type SqlStores } from '../../src/adapters/metadata/open.js';
import { RegistryService } from '../../src/core/oci/registry.js';
import type { BlobStore } from '../../src/core/ports/blob-store.js';
import { systemClock } from '../../src/core/ports/clock.js';
import type { RetentionPolicy } from '../../src/core/retention/policy.js';
import { RetentionService, type ProtectionCheck } from '../../src/core/retention/retention-service.js';
import type { RetentionStore } from '../../src/core/retention/retention-store.js';
import { digestOf } from '../support/oci-client.js';
import { imageOf } from '../support/registry-auth.js';

const POLICY: RetentionPolicy = {
  enabled: true,
  rules: [{ disabled: false, template: 'latestPushedK', params: { latestPushedK: 2 }, tagSelector: { decoration: 'matches', pattern: 'v*' }, repositorySelector: { decoration: 'repoMatches', pattern: 'app' } }],
};

let dir: string;
let stores: SqlStores;
let registry: RegistryService;
/** Runs once right before the service re-reads the first artifact it is about to delete. */
let inTheGap: (() => Promise<void>) | undefined;
let store: RetentionStore;
let now: number;
const clock = { now: () => new Date(now) };

function service(options: { isProtected?: ProtectionCheck; holder?: string } = {}) {
  return new RetentionService(store, registry, clock, { holder: options.holder ?? 'test', isProtected: options.isProtected });
}

async function push(repo: string, tag: string, seed = `${repo}:${tag}`): Promise<string> {
  const image = imageOf(seed);
  for (const blob of [image.config, ...image.layers]) await stores.registry.linkBlob(repo, digestOf(blob), Buffer.byteLength(blob));
  await registry.putManifest(repo, tag, Buffer.from(image.bytes), 'application/vnd.oci.image.manifest.v1+json');
  await new Promise((r) => setTimeout(r, 3));
  return image.digest;
}

async function runToEnd(s: RetentionService, dryRun = false) {
  const run = await s.startRun('team', { dryRun, operator: 'ann' });
  await s.idle();
  return s.getRun('team', run.id);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-retention-svc-'));
  stores = await openStores({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
  registry = new RegistryService({} as BlobStore, stores.registry, systemClock, { maxManifestBytes: 4 << 20, maxPageSize: 1000 });
  now = Date.now();
  inTheGap = undefined;
  const real = stores.retention;
  store = Object.assign(Object.create(real) as RetentionStore, {
    artifactState: async (repository: string, digest: string) => {
      const change = inTheGap;
      inTheGap = undefined;
      await change?.();
      return real.artifactState(repository, digest);
    },
  });
  await store.putPolicy({ project: 'team', policy: POLICY, updatedAt: new Date(now), updatedBy: 'ann' });
});

afterEach(async () => {
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('changes between plan and delete', () => {
  it('does not delete a candidate that got a new tag after the plan', async () => {
    const [v1, v2] = [await push('team/app', 'v1'), await push('team/app', 'v2'), await push('team/app', 'v3'), await push('team/app', 'v4')];
    const image = imageOf('team/app:v1');
    inTheGap = async () => void (await registry.putManifest('team/app', 'pinned', Buffer.from(image.bytes), 'application/vnd.oci.image.manifest.v1+json'));
    const run = await runToEnd(service());
    expect(run.counts).toMatchObject({ deleted: 1, skipped: 1, failed: 0 });
    expect(run.decisions.find((d) => d.digest === v1)).toMatchObject({ action: 'retained', reason: 'changed since the plan: tagged pinned' });
    expect(await stores.registry.resolveTag('team/app', 'v1')).toBe(v1);
    expect(await stores.registry.resolveTag('team/app', 'pinned')).toBe(v1);
    expect(await stores.registry.statManifest('team/app', v2!)).toBeNull();
  });

  it('does not delete a candidate tagged between its last re-check and the delete itself', async () => {
    const v1 = await push('team/app', 'v1');
    for (const t of ['v2', 'v3']) await push('team/app', t);
    const image = imageOf('team/app:v1');
    const racing = Object.assign(Object.create(registry) as RegistryService, {
      deleteManifest: async (repository: string, reference: string, operator?: string, options?: { onlyTags?: readonly string[] }) => {
        if (reference === v1) await registry.putManifest('team/app', 'late', Buffer.from(image.bytes), 'application/vnd.oci.image.manifest.v1+json');
        return registry.deleteManifest(repository, reference, operator, options);
      },
    });
    const run = await runToEnd(new RetentionService(store, racing, clock, { holder: 'test' }));
    expect(run.counts).toMatchObject({ deleted: 0, skipped: 1, failed: 0 });
    expect(run.decisions.find((d) => d.digest === v1)).toMatchObject({ action: 'retained', reason: expect.stringMatching(/^changed since the plan: .*tagged late meanwhile/) });
    expect(await stores.registry.resolveTag('team/app', 'v1')).toBe(v1);
    expect(await stores.registry.resolveTag('team/app', 'late')).toBe(v1);
  });

  it('does not delete a candidate pushed again after the plan', async () => {
    const v1 = await push('team/app', 'v1');
    for (const t of ['v2', 'v3']) await push('team/app', t);
    inTheGap = () => push('team/app', 'v1').then(() => undefined);
    const run = await runToEnd(service());
    expect(run.decisions.find((d) => d.digest === v1)).toMatchObject({ action: 'retained', reason: 'changed since the plan: pushed again' });
    expect(await stores.registry.resolveTag('team/app', 'v1')).toBe(v1);
  });

  it('a new push moving a tag after the plan keeps the new artifact; the old one, now untagged, goes', async () => {
    const old = await push('team/app', 'v1');
    for (const t of ['v2', 'v3']) await push('team/app', t);
    let fresh = '';
    inTheGap = async () => void (fresh = await push('team/app', 'v1', 'a new v1'));
    const run = await runToEnd(service());
    expect(run.counts).toMatchObject({ deleted: 1, skipped: 0 });
    expect(await stores.registry.statManifest('team/app', old)).toBeNull();
    expect(await stores.registry.resolveTag('team/app', 'v1')).toBe(fresh);
  });
});

describe('protection', () => {
  it('never deletes what the protection hook or a model alias protects', async () => {
    const [v1, v2] = [await push('team/app', 'v1'), await push('team/app', 'v2'), await push('team/app', 'v3'), await push('team/app', 'v4')];
    const m = stores.models;
    const base = { externalId: null, description: null, project: 'team', runId: null, state: 'LIVE', fields: {}, customProperties: {}, createdAt: now };
    const rm = await m.createEntity({ ...base, kind: 'registered-model', name: 'team/app', parentId: null });
    const ver = await m.createEntity({ ...base, kind: 'model-version', name: 'v2', parentId: rm.id });
    await m.putBinding({ versionId: ver.id, modelId: rm.id, artifactId: ver.id, repository: 'team/app', digest: v2!, tag: 'v2', createdAt: now });
    await m.moveAlias({ modelId: rm.id, alias: 'production', versionId: ver.id, actor: 'ann', at: now });
    const asked: string[] = [];
    const run = await runToEnd(service({ isProtected: async (repo, tag) => (asked.push(`${repo}:${tag}`), tag === 'v1') }));
    expect(run.counts).toMatchObject({ deleted: 0, retained: 4 });
    expect(run.decisions.find((d) => d.digest === v1)).toMatchObject({ action: 'retained', reason: 'protected: tag "v1" is immutable' });
    expect(run.decisions.find((d) => d.digest === v2)).toMatchObject({ action: 'retained', reason: expect.stringMatching(/^protected: model alias "production"/) });
    expect(asked).toContain('team/app:v1');
    expect(await stores.registry.statManifest('team/app', v1!)).not.toBeNull();
  });
});

describe('runs', () => {
  it('allows one run per project at a time and refuses runs without a policy', async () => {
    for (const t of ['v1', 'v2', 'v3']) await push('team/app', t);
    const s = service();
    // The first run waits right before its first delete until both other starts were refused.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const inGap = new Promise<void>((r) => (reached = r));
    inTheGap = () => (reached(), held);
    const first = await s.startRun('team', { dryRun: false, operator: 'ann' });
    await inGap;
    await expect(service({ holder: 'other' }).startRun('team', { dryRun: true, operator: 'bob' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(s.startRun('team', { dryRun: true, operator: 'ann' })).rejects.toMatchObject({ code: 'CONFLICT' });
    release();
    await s.idle();
    expect((await s.getRun('team', first.id)).status).toBe('succeeded');
    await expect(s.startRun('nobody', { dryRun: true, operator: 'ann' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('starts a scheduled run once per interval, on one of two replicas', async () => {
    for (const t of ['v1', 'v2', 'v3']) await push('team/app', t);
    await store.putPolicy({ project: 'team', policy: { ...POLICY, schedule: { intervalHours: 1 } }, updatedAt: new Date(now), updatedBy: 'ann' });
    const [a, b] = [service({ holder: 'a' }), service({ holder: 'b' })];
    expect(await a.runDue()).toBe(0);
    now += 3_600_000;
    const started = (await Promise.all([a.runDue(), b.runDue()])).reduce((x, y) => x + y);
    await Promise.all([a.idle(), b.idle()]);
    expect(started).toBe(1);
    const runs = await a.listRuns('team', 10);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', operator: 'system', status: 'succeeded', counts: { deleted: 1 } });
    expect(await a.runDue()).toBe(0);
    now += 3_600_000;
    expect(await b.runDue()).toBe(1);
    await b.idle();
  });
});
