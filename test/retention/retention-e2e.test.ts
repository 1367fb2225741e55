// Tag retention end to end on a listening Berth with access control on: skopeo pushes v1..v6 to
// team/app and two tags to team/other; a `latestPushedK=3` policy on repository `app`, tags `v*`,
// is dry run (decisions recorded, nothing deleted: skopeo still finds every tag) and then run for real
// (exactly v1..v3 go; skopeo finds v4..v6 and team/other). A webhook receiver gets
// `retention.finished` and the `artifact.deleted` events. Bad policies get 400 INVALID and change
// nothing; who may read, set and run policies follows Harbor's roles. The CLI round trip closes it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCli, runCliOk } from '../support/cli.js';
import { blobPath, writeImageLayout } from '../support/oci-layouts.js';
import { apiClient, codesOf, eventually, must, mustPushImage, RegistryClient, type Credentials } from '../support/registry-auth.js';
import { toolAvailable } from '../support/tools.js';
import { startReceiver, waitFor, type WebhookReceiver } from '../support/webhook-receiver.js';

const HAVE_SKOPEO = toolAvailable('skopeo');
const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };
const DEV: Credentials = { username: 'dev', password: 'dev-password-1' };
const GUEST: Credentials = { username: 'guest', password: 'guest-password-1' };
const OUTSIDER: Credentials = { username: 'outsider', password: 'outsider-password-1' };
const FAST_HOOKS = { BERTH_WEBHOOK_POLL_MS: '50', BERTH_WEBHOOK_RETRY_BASE_SECONDS: '0.2', BERTH_WEBHOOK_MAX_ATTEMPTS: '3' };

const RULE = { template: 'latestPushedK', params: { latestPushedK: 3 }, tagSelector: { decoration: 'matches', pattern: 'v*' }, repositorySelector: { decoration: 'repoMatches', pattern: 'app' } };
const POLICY = { rules: [RULE], enabled: true };

describe.skipIf(!HAVE_SKOPEO)('tag retention end to end', () => {
  let berth: BerthProcess;
  let work: string;
  let layout: string;
  let receiver: WebhookReceiver;
  let admin: ReturnType<typeof apiClient>;
  let dev: ReturnType<typeof apiClient>;
  const digests = new Map<string, string>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-retention-'));
    layout = join(work, 'layout');
    writeImageLayout(layout);
    berth = await startBerth({ adminPassword: ADMIN.password, env: FAST_HOOKS });
    admin = apiClient(berth.url, ADMIN);
    dev = apiClient(berth.url, DEV);
    receiver = await startReceiver();
    await must(admin.post('/api/v1/projects', { name: 'team', public: false }), 201);
    for (const user of [DEV, GUEST, OUTSIDER]) await must(admin.post('/api/v1/users', { username: user.username, password: user.password }), 201);
    await must(admin.put('/api/v1/projects/team/members/dev', { role: 'developer' }), 200);
    await must(admin.put('/api/v1/projects/team/members/guest', { role: 'guest' }), 200);
    await must(admin.post('/api/v1/projects/team/webhooks', { url: receiver.url, events: ['retention.finished', 'artifact.deleted'] }), 201);
    // Pushed in order, each its own image (its own config), so push times rise v1 -> v6.
    for (const [repo, tags] of [['team/app', ['v1', 'v2', 'v3', 'v4', 'v5', 'v6']], ['team/other', ['v1', 'v2']]] as const) {
      for (const tag of tags) {
        addImage(layout, `${repo}:${tag}`);
        await skopeo('copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `${ADMIN.username}:${ADMIN.password}`, `oci:${layout}:${repo}:${tag}`, `docker://${berth.host}/${repo}:${tag}`);
        digests.set(`${repo}:${tag}`, layoutDigest(layout, `${repo}:${tag}`));
      }
    }
  }, 120_000);

  afterAll(async () => {
    await berth?.dispose();
    await receiver?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { REGISTRY_AUTH_FILE: join(work, 'no-auth.json'), HOME: work }, () => berth.output());
  const inspect = async (ref: string) => {
    writeFileSync(join(work, 'no-auth.json'), '{"auths":{}}');
    try {
      const raw = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', `${ADMIN.username}:${ADMIN.password}`, `docker://${berth.host}/${ref}`);
      return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    } catch {
      return null;
    }
  };
  const finished = async (client: ReturnType<typeof apiClient>, id: number) =>
    eventually(async () => {
      const r = await must(client.get(`/api/v1/projects/team/retention/runs/${id}`), 200);
      return r.body.status === 'running' ? undefined : r.body;
    }, `retention run ${id} to finish`, 20_000);

  it('refuses bad policies with 400 INVALID and changes nothing', async () => {
    expect((await dev.get('/api/v1/projects/team/retention')).status).toBe(404);
    await must(dev.put('/api/v1/projects/team/retention', POLICY), 200);
    const bad = [
      { rules: Array(16).fill(RULE), enabled: true },
      { rules: [{ ...RULE, template: 'latestEverK' }] },
      { rules: [{ ...RULE, params: { latestPushedK: 0 } }] },
      { rules: [{ ...RULE, params: {} }] },
      { rules: [{ ...RULE, tagSelector: { decoration: 'matches', pattern: 'v{1,2' } }] },
      { rules: [{ ...RULE, repositorySelector: { decoration: 'matches', pattern: 'app' } }] },
      { rules: [RULE], schedule: { cron: '0 0 * * *' } },
      { rules: [RULE], surprise: true },
    ];
    for (const body of bad) {
      const r = await dev.put('/api/v1/projects/team/retention', body);
      expect(r.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(codesOf(r.body)).toEqual(['INVALID']);
    }
    const stored = await must(dev.get('/api/v1/projects/team/retention'), 200);
    expect(stored.body).toMatchObject({ project: 'team', enabled: true, schedule: null, rules: [{ ...RULE, disabled: false }], updatedBy: 'dev' });
  });

  it('lets members read, developers and up set and run; guests cannot run, outsiders see nothing', async () => {
    const guest = apiClient(berth.url, GUEST);
    const outsider = apiClient(berth.url, OUTSIDER);
    const anonymous = apiClient(berth.url);
    expect((await guest.get('/api/v1/projects/team/retention')).status).toBe(200);
    expect((await guest.get('/api/v1/projects/team/retention/runs')).status).toBe(200);
    expect((await guest.put('/api/v1/projects/team/retention', POLICY)).status).toBe(403);
    expect((await guest.delete('/api/v1/projects/team/retention')).status).toBe(403);
    expect((await guest.post('/api/v1/projects/team/retention/runs', { dryRun: true })).status).toBe(403);
    for (const path of ['/api/v1/projects/team/retention', '/api/v1/projects/team/retention/runs']) expect((await outsider.get(path)).status).toBe(404);
    expect((await outsider.post('/api/v1/projects/team/retention/runs', { dryRun: true })).status).toBe(404);
    expect((await anonymous.get('/api/v1/projects/team/retention')).status).toBe(401);
    expect((await guest.get('/api/v1/projects/team/retention/runs')).body).toEqual([]);
  });

  it('dry run lists v1..v3 as deleted and deletes nothing', async () => {
    const started = await must(dev.post('/api/v1/projects/team/retention/runs', { dryRun: true }), 202);
    expect(started.body).toMatchObject({ status: 'running', dryRun: true, trigger: 'manual', operator: 'dev' });
    const run = await finished(dev, started.body.id);
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true, counts: { candidates: 6, retained: 3, deleted: 3, skipped: 0, failed: 0 } });
    const byTag = Object.fromEntries(run.decisions.map((d: { tags: string[] }) => [d.tags.join(','), d]));
    for (const tag of ['v1', 'v2', 'v3']) expect(byTag[tag]).toMatchObject({ repository: 'team/app', digest: digests.get(`team/app:${tag}`), action: 'deleted', rule: null });
    for (const tag of ['v4', 'v5', 'v6']) expect(byTag[tag]).toMatchObject({ repository: 'team/app', action: 'retained', rule: 0, reason: 'latestPushedK' });
    expect(run.decisions.every((d: { repository: string }) => d.repository === 'team/app')).toBe(true);
    for (const tag of ['v1', 'v2', 'v3', 'v4', 'v5', 'v6']) expect(await inspect(`team/app:${tag}`)).toBe(digests.get(`team/app:${tag}`));
    await waitFor(() => receiver.received.some((h) => h.json?.event === 'retention.finished'), 'the dry run retention.finished event');
    const hook = receiver.received.find((h) => h.json?.event === 'retention.finished')!;
    expect(hook.json).toMatchObject({ type: 'TAG_RETENTION', operator: 'dev', project: 'team', event_data: { runId: started.body.id, dryRun: true, status: 'succeeded', counts: { deleted: 3 } } });
    expect(receiver.received.filter((h) => h.json?.event === 'artifact.deleted')).toEqual([]);
  });

  it('a real run deletes exactly v1..v3, sending retention.finished and artifact.deleted', async () => {
    const started = await must(dev.post('/api/v1/projects/team/retention/runs', { dryRun: false }), 202);
    const run = await finished(dev, started.body.id);
    expect(run).toMatchObject({ status: 'succeeded', dryRun: false, counts: { candidates: 6, retained: 3, deleted: 3, skipped: 0, failed: 0 } });
    for (const tag of ['v1', 'v2', 'v3']) expect(await inspect(`team/app:${tag}`), tag).toBeNull();
    for (const tag of ['v4', 'v5', 'v6']) expect(await inspect(`team/app:${tag}`), tag).toBe(digests.get(`team/app:${tag}`));
    for (const tag of ['v1', 'v2']) expect(await inspect(`team/other:${tag}`), tag).toBe(digests.get(`team/other:${tag}`));

    const deletedDigests = ['v1', 'v2', 'v3'].map((t) => digests.get(`team/app:${t}`)).sort();
    await waitFor(() => receiver.received.filter((h) => h.json?.event === 'retention.finished').length === 2 && receiver.received.filter((h) => h.json?.event === 'artifact.deleted').length === 3, 'retention.finished and 3 artifact.deleted');
    const deletes = receiver.received.filter((h) => h.json?.event === 'artifact.deleted');
    expect(deletes.map((h) => h.json.event_data.resources[0].digest).sort()).toEqual(deletedDigests);
    expect(deletes.every((h) => h.json.operator === 'dev' && h.json.event_data.repository.repo_full_name === 'team/app')).toBe(true);
    const done = receiver.received.filter((h) => h.json?.event === 'retention.finished')[1]!;
    expect(done.json.event_data).toMatchObject({ runId: started.body.id, dryRun: false, status: 'succeeded', deletedTruncated: false });
    expect(done.json.event_data.deleted.map((d: { digest: string }) => d.digest).sort()).toEqual(deletedDigests);

    const runs = await must(dev.get('/api/v1/projects/team/retention/runs'), 200);
    expect(runs.body.map((r: { id: number; dryRun: boolean }) => [r.id, r.dryRun])).toEqual([[started.body.id, false], [started.body.id - 1, true]]);
    expect(runs.body[0].decisions).toBeUndefined();
  });

  it('never deletes what an immutable tag holds: the run keeps it and says why', async () => {
    await must(admin.post('/api/v1/projects/team/immutable-rules', { repository: 'app', tag: 'v4' }), 201);
    await must(dev.put('/api/v1/projects/team/retention', { rules: [{ ...RULE, params: { latestPushedK: 1 } }], enabled: true }), 200);
    const started = await must(dev.post('/api/v1/projects/team/retention/runs', { dryRun: false }), 202);
    const run = await finished(dev, started.body.id);
    expect(run).toMatchObject({ status: 'succeeded', counts: { failed: 0 } });
    const byTag = Object.fromEntries(run.decisions.map((d: { tags: string[] }) => [d.tags.join(','), d]));
    expect(byTag.v4).toMatchObject({ action: 'retained', reason: expect.stringContaining('immutable') });
    expect(byTag.v5).toMatchObject({ action: 'deleted' });
    expect(byTag.v6).toMatchObject({ action: 'retained', reason: 'latestPushedK' });
    expect(await inspect('team/app:v4')).toBe(digests.get('team/app:v4'));
    expect(await inspect('team/app:v5')).toBeNull();
    expect(await inspect('team/app:v6')).toBe(digests.get('team/app:v6'));
  });

  it('round-trips through the CLI: set from YAML, show, run --dry-run --wait, runs', async () => {
    await must(admin.post('/api/v1/projects', { name: 'cli', public: false }), 201);
    const registry = new RegistryClient(berth.url, ADMIN);
    for (const tag of ['r1', 'r2', 'keep']) await mustPushImage(registry, 'cli/model', tag, `cli-${tag}`);
    const file = join(work, 'policy.yaml');
    writeFileSync(file, ['enabled: true', 'schedule: {intervalHours: 24}', 'rules:', '  - template: latestPushedK', '    params: {latestPushedK: 1}', '    tagSelector: {decoration: matches, pattern: "r*"}', '    repositorySelector: {decoration: repoMatches, pattern: "**"}', ''].join('\n'));
    const creds = ['--server', berth.url, '--creds', `${ADMIN.username}:${ADMIN.password}`];
    const set = await runCliOk(['retention', 'set', 'cli', '--file', file, ...creds]);
    expect(set.stdout).toMatch(/every 24 h/);
    const shown = await runCliOk(['retention', 'show', 'cli', '--json', ...creds]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ project: 'cli', schedule: { intervalHours: 24 }, rules: [{ template: 'latestPushedK', params: { latestPushedK: 1 } }] });
    const dry = await runCliOk(['retention', 'run', 'cli', '--dry-run', '--wait', ...creds]);
    expect(dry.stdout).toMatch(/^REPOSITORY\s+TAGS\s+DIGEST\s+PUSHEDAT\s+ACTION\s+RULE\s+REASON/m);
    expect(dry.stdout).toMatch(/cli\/model\s+r1\s+sha256:\S+\s+\S+\s+deleted/);
    expect(dry.stdout).toMatch(/cli\/model\s+r2\s+sha256:\S+\s+\S+\s+retained\s+0\s+latestPushedK/);
    expect(dry.stdout).not.toMatch(/keep/);
    expect(dry.stdout).toMatch(/succeeded \(dry run\): 2 judged, 1 retained, 1 would be deleted/);
    const runs = await runCliOk(['retention', 'runs', 'cli', ...creds]);
    expect(runs.stdout).toMatch(/^ID\s+STATUS\s+DRYRUN/m);
    expect(runs.stdout).toMatch(/succeeded\s+true\s+manual\s+admin/);
    const missing = await runCli(['retention', 'set', 'cli', '--file', join(work, 'absent.yaml'), ...creds]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
    writeFileSync(file, 'rules: [{template: latestPushedK, params: {latestPushedK: 0}, tagSelector: {decoration: matches, pattern: "*"}, repositorySelector: {decoration: repoMatches, pattern: "**"}}]\n');
    const invalid = await runCli(['retention', 'set', 'cli', '--file', file, ...creds]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/latestPushedK/);
    expect(JSON.parse((await runCliOk(['retention', 'show', 'cli', '--json', ...creds])).stdout).rules[0].params).toEqual({ latestPushedK: 1 });
  });
});

/** Adds to the layout at `dir` an image named `ref`: the layout's first image with a config of its own. */
function addImage(dir: string, ref: string): void {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  const base = JSON.parse(readFileSync(blobPath(dir, index.manifests[0]!.digest), 'utf8')) as { config: { digest: string; size: number } };
  const config = JSON.parse(readFileSync(blobPath(dir, base.config.digest), 'utf8')) as { config: { Labels?: Record<string, string> } };
  config.config.Labels = { image: ref };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = { ...base, config: { ...base.config, digest: write(dir, configBytes), size: configBytes.length } };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  index.manifests.push({ ...index.manifests[0]!, digest: write(dir, manifestBytes), size: manifestBytes.length, annotations: { 'org.opencontainers.image.ref.name': ref } } as never);
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}

function layoutDigest(dir: string, ref: string): string {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  return index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref)!.digest;
}

function write(dir: string, bytes: Buffer): string {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  writeFileSync(blobPath(dir, digest), bytes);
  return digest;
}

function run(command: string, args: string[], env: Record<string, string>, serverOutput: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000, maxBuffer: 16 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr}\nberth output (tail):\n${serverOutput().slice(-2000)}`));
      else resolve(stdout);
    });
  });
}
