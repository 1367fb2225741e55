// Project storage quotas against a real listening Berth with access control on, on SQLite and on
// PostgreSQL: skopeo pushes until one is refused with the quota message (its tag does not exist, a
// webhook receiver gets quota.exceeded), usage equals the distinct blob and manifest sizes computed
// here from the pushed OCI layouts, deletes free usage so the push then fits, two concurrent pushes
// that only fit one at a time let exactly one through, the repair agrees with the bookkeeping, bad
// input changes nothing, and the `berth quota` CLI round trip.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCli, runCliOk } from '../support/cli.js';
import { writeImageLayout, writeModelPackLayout, type Layout } from '../support/oci-layouts.js';
import { createTestDatabase, postgresAvailable } from '../support/postgres.js';
import { parsePrometheusText, valueOf } from '../support/prometheus.js';
import { apiClient, codesOf, must, RegistryClient, type Credentials } from '../support/registry-auth.js';
import { expectSkopeoOk as ok, runSkopeo as skopeo } from '../support/skopeo.js';
import { toolAvailable } from '../support/tools.js';
import { startReceiver, waitFor, type WebhookReceiver } from '../support/webhook-receiver.js';

const HAVE_SKOPEO = toolAvailable('skopeo');
const POSTGRES = HAVE_SKOPEO && (await postgresAvailable());
const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };
const MAINT: Credentials = { username: 'maint', password: 'maint-password-1' };

/** What a layout adds to a project that holds none of it: its blobs and its manifest. */
const footprint = (layout: Layout) => layout.blobs.reduce((sum, b) => sum + b.size, 0) + layout.manifest.length;

describe.skipIf(!HAVE_SKOPEO).each([
  { driver: 'sqlite', enabled: true },
  { driver: 'postgres', enabled: POSTGRES },
])('project quotas on $driver', ({ driver, enabled }) => {
  let berth: BerthProcess;
  let receiver: WebhookReceiver;
  let work: string;
  let image: Layout;
  let model: Layout;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (!enabled) return;
    work = mkdtempSync(join(tmpdir(), 'berth-quota-'));
    receiver = await startReceiver();
    const env: Record<string, string> = { BERTH_WEBHOOK_POLL_MS: '50' };
    if (driver === 'postgres') {
      const db = await createTestDatabase();
      dropDatabase = db.drop;
      env.BERTH_DATABASE_URL = db.url;
    }
    berth = await startBerth({ adminPassword: ADMIN.password, env });
    const admin = apiClient(berth.url, ADMIN);
    for (const name of ['team', 'race', 'warn']) await must(admin.post('/api/v1/projects', { name }), 201);
    await must(admin.post('/api/v1/projects', { name: 'open', public: true }), 201);
    await must(admin.post('/api/v1/users', { username: MAINT.username, password: MAINT.password }), 201);
    await must(admin.put('/api/v1/projects/team/members/maint', { role: 'maintainer' }), 200);
    for (const project of ['team', 'warn']) await must(admin.post(`/api/v1/projects/${project}/webhooks`, { url: receiver.url, events: ['QUOTA_EXCEED', 'quota.warning'] }), 201);
    image = writeImageLayout(join(work, 'image'));
    model = writeModelPackLayout(join(work, 'model'));
  });

  afterAll(async () => {
    await berth?.dispose();
    await receiver?.close();
    await dropDatabase?.();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const copy = (layout: Layout, target: string) =>
    skopeo(['--insecure-policy', 'copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `${ADMIN.username}:${ADMIN.password}`, `oci:${layout.dir}:${layout.tag}`, `docker://${berth.host}/${target}`]);
  const quota = async (project: string) => (await must(apiClient(berth.url, ADMIN).get(`/api/v1/projects/${project}/quota`), 200)).body;
  const tagStatus = async (repo: string, tag: string) => (await new RegistryClient(berth.url, ADMIN).fetch(`/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).status;
  const deleteManifest = async (repo: string, digest: string) => expect((await new RegistryClient(berth.url, ADMIN).fetch(`/v2/${repo}/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202);

  it.skipIf(!enabled)('refuses the push that would exceed the limit, books distinct content, and frees it on delete', async () => {
    const admin = apiClient(berth.url, ADMIN);
    expect(await quota('team')).toEqual({ project: 'team', hard: { storage: -1 }, used: { storage: 0 }, isDefault: true });
    const hard = footprint(image) + footprint(model) - 1;
    expect((await must(admin.put('/api/v1/projects/team/quota', { hard: { storage: hard } }), 200)).body).toMatchObject({ hard: { storage: hard }, isDefault: false });

    ok(await copy(image, 'team/app:v1'));
    expect((await quota('team')).used.storage).toBe(footprint(image));
    // The same image in another repository of the project adds nothing.
    ok(await copy(image, 'team/other:v1'));
    expect((await quota('team')).used.storage).toBe(footprint(image));

    const refused = await copy(model, 'team/app:model');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`quota exceeded: project team uses ${mib(footprint(image))} of ${mib(hard)}; this push adds ${mib(footprint(model))}`);
    expect(await tagStatus('team/app', 'model')).toBe(404);
    expect((await quota('team')).used.storage).toBe(footprint(image));
    await waitFor(() => receiver.received.some((h) => h.json?.event === 'quota.exceeded'), 'the quota.exceeded webhook');
    const hook = receiver.received.find((h) => h.json?.event === 'quota.exceeded')!;
    expect(hook.json).toMatchObject({ type: 'QUOTA_EXCEED', project: 'team', operator: 'admin', event_data: { repository: 'team/app', tag: 'model', hard, used: footprint(image), added: footprint(model) } });

    await deleteManifest('team/app', image.manifestDigest);
    expect((await quota('team')).used.storage).toBe(footprint(image)); // team/other still refers to all of it
    await deleteManifest('team/other', image.manifestDigest);
    expect((await quota('team')).used.storage).toBe(0);
    ok(await copy(model, 'team/app:model'));
    expect((await quota('team')).used.storage).toBe(footprint(model));
    expect(receiver.received.filter((h) => h.json?.event === 'quota.warning' && h.json.project === 'team')).toEqual([]);
  });

  it.skipIf(!enabled)('raises quota.warning when a push takes usage over 85%', async () => {
    await must(apiClient(berth.url, ADMIN).put('/api/v1/projects/warn/quota', { hard: { storage: footprint(model) + 1000 } }), 200);
    ok(await copy(model, 'warn/tiny:v1'));
    await waitFor(() => receiver.received.some((h) => h.json?.event === 'quota.warning'), 'the quota.warning webhook');
    expect(receiver.received.find((h) => h.json?.event === 'quota.warning')!.json).toMatchObject({ type: 'QUOTA_WARNING', project: 'warn', event_data: { used: footprint(model), hard: footprint(model) + 1000 } });
  });

  it.skipIf(!enabled)('lets exactly one of two concurrent pushes through when only one fits', async () => {
    const hard = Math.max(footprint(image), footprint(model)) + 10;
    await must(apiClient(berth.url, ADMIN).put('/api/v1/projects/race/quota', { hard: { storage: hard } }), 200);
    const [a, b] = await Promise.all([copy(image, 'race/a:v1'), copy(model, 'race/b:v1')]);
    expect([a.code, b.code].filter((c) => c === 0)).toHaveLength(1);
    expect((a.code === 0 ? b : a).stderr).toContain('quota exceeded: project race');
    const statuses = [await tagStatus('race/a', 'v1'), await tagStatus('race/b', 'v1')];
    expect(statuses.sort()).toEqual([200, 404]);
    expect((await quota('race')).used.storage).toBe(a.code === 0 ? footprint(image) : footprint(model));
  });

  it.skipIf(!enabled)('agrees with a recomputation from the stored manifests', async () => {
    const repaired = await must(apiClient(berth.url, ADMIN).post('/api/v1/system/quotas/recompute', {}), 200);
    for (const project of ['team', 'race', 'warn']) {
      const entry = repaired.body.find((r: { project: string }) => r.project === project);
      expect(entry.after, project).toBe(entry.before);
      expect(entry.after).toBe((await quota(project)).used.storage);
    }
    const listed = await must(apiClient(berth.url, ADMIN).get('/api/v1/quotas'), 200);
    expect(listed.body.map((q: { project: string }) => q.project)).toEqual(expect.arrayContaining(['open', 'race', 'team', 'warn']));
    // The same figures on /metrics, for alerting on usage against the limit.
    const families = parsePrometheusText(await (await fetch(`${berth.url}/metrics`)).text());
    for (const project of ['team', 'race', 'warn']) {
      const q = await quota(project);
      expect(valueOf(families, 'berth_project_storage_bytes', { project }), project).toBe(q.used.storage);
      expect(valueOf(families, 'berth_project_storage_limit_bytes', { project }), project).toBe(q.hard.storage);
    }
    expect(families.get('berth_project_storage_limit_bytes')!.samples.some((s) => s.labels.project === 'open')).toBe(false);
  });

  it.skipIf(!enabled)('answers who may read and set quotas, and refuses bad input changing nothing', async () => {
    const admin = apiClient(berth.url, ADMIN);
    const before = await quota('team');
    expect((await must(apiClient(berth.url, MAINT).get('/api/v1/projects/team/quota'), 200)).body).toEqual(before);
    expect((await apiClient(berth.url).get('/api/v1/projects/team/quota')).status).toBe(404);
    expect((await must(apiClient(berth.url).get('/api/v1/projects/open/quota'), 200)).body.used.storage).toBe(0);
    expect((await apiClient(berth.url, MAINT).put('/api/v1/projects/team/quota', { hard: { storage: 1 } })).status).toBe(403);
    expect((await apiClient(berth.url, MAINT).get('/api/v1/quotas')).status).toBe(403);
    for (const body of [{ hard: { storage: -2 } }, { hard: { storage: 1.5 } }, { hard: { storage: '10' } }, { hard: {} }, {}, { hard: { storage: 1, count: 2 } }]) {
      const res = await admin.put('/api/v1/projects/team/quota', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(codesOf(res.body)).toEqual(['INVALID']);
    }
    expect((await admin.put('/api/v1/projects/nope/quota', { hard: { storage: 1 } })).status).toBe(404);
    expect((await admin.get('/api/v1/projects/nope/quota')).status).toBe(404);
    expect(await quota('team')).toEqual(before);
  });

  it.skipIf(!enabled)('shows and sets quotas with the berth CLI', async () => {
    const env = { XDG_CONFIG_HOME: join(work, 'config'), BERTH_TOKEN: '', BERTH_SERVER: '' };
    const cli = (...args: string[]) => runCliOk(['quota', ...args, '--server', berth.url, '--creds', `${ADMIN.username}:${ADMIN.password}`], env);
    expect((await cli('set', 'team', '10GiB')).stdout).toMatch(/hard:\s+10 GiB/);
    expect(JSON.parse((await cli('show', 'team', '--json')).stdout)).toMatchObject({ hard: { storage: 10 * 2 ** 30 }, used: { storage: footprint(model) } });
    expect(JSON.parse((await cli('set', 'team', '500MB', '--json')).stdout).hard.storage).toBe(500_000_000);
    expect((await cli('set', 'team', 'unlimited')).stdout).toMatch(/hard:\s+unlimited/);
    expect((await cli('show', 'team')).stdout).toMatch(/used:\s+1\.\d MiB \(\d+ bytes\)/);
    expect((await cli('ls')).stdout).toMatch(/^PROJECT\s+HARD\s+USED\s+PERCENT/);
    expect((await cli('recompute', 'team')).stdout).toMatch(/team\s+\d+\s+\d+/);
    const bad = await runCli(['quota', 'set', 'team', 'lots', '--server', berth.url, '--creds', `${ADMIN.username}:${ADMIN.password}`], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/"lots" is not a size/);
    expect((await quota('team')).hard.storage).toBe(-1);
  });
});

/** A size as Berth's quota messages print it (binary units, one decimal at most). */
function mib(bytes: number): string {
  const value = Math.round((bytes / 2 ** 20) * 10) / 10;
  return `${Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)} MiB`;
}
