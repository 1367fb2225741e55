// Garbage collection through the REST API and the CLI of a real Berth process: a deleted manifest's
// own layers leave storage, layers other manifests share stay, a dry run changes nothing, bad input
// is refused, a configured interval runs it unasked, and only system administrators may collect.
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCliOk } from '../support/cli.js';
import { digestOf, pushImage } from '../support/oci-client.js';
import { withBasic } from '../support/registry-auth.js';

const json = { 'content-type': 'application/json' };

/** Where the filesystem driver keeps a blob. */
function blobFile(berth: BerthProcess, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(berth.dataDir, 'storage', 'blobs', 'sha256', hex.slice(0, 2), hex);
}

async function gc(berth: BerthProcess, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${berth.url}/api/v1/system/gc`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });
}

async function blobDigestOk(berth: BerthProcess, repo: string, digest: string): Promise<boolean> {
  const res = await fetch(`${berth.url}/v2/${repo}/blobs/${digest}`);
  return res.status === 200 && digestOf(Buffer.from(await res.arrayBuffer())) === digest;
}

describe('garbage collection through the REST API', () => {
  let berth: BerthProcess;
  beforeAll(async () => {
    berth = await startBerth({ env: { BERTH_STORAGE_FSYNC: 'false' } });
  });
  afterAll(async () => {
    await berth?.dispose();
  });

  it("frees a deleted manifest's own layers, keeps shared ones, and a dry run changes nothing", async () => {
    const shared = `shared-${randomBytes(8).toString('hex')}`;
    const own = `own-${randomBytes(2000).toString('hex')}`;
    const a = await pushImage(berth.url, 'gc/a', 'v1', [shared, own]);
    const b = await pushImage(berth.url, 'gc/b', 'v1', [shared]);
    expect((await fetch(`${berth.url}/v2/gc/a/manifests/${a.digest}`, { method: 'DELETE' })).status).toBe(202);
    // Stamps are in milliseconds; make sure the delete lies strictly before the run.
    await new Promise((r) => setTimeout(r, 5));

    const dry = await gc(berth, { dryRun: true, graceSeconds: 0 });
    expect(dry.status).toBe(200);
    // gc/a links its config (also in gc/b), the shared layer and its own layer; only its own layer is nowhere else.
    expect(await dry.json()).toMatchObject({ dryRun: true, graceSeconds: 0, linksDeleted: 3, blobsDeleted: 1, bytesFreed: own.length, error: null });
    expect(existsSync(blobFile(berth, digestOf(own)))).toBe(true);
    expect(await blobDigestOk(berth, 'gc/a', digestOf(own))).toBe(true);

    const run = await gc(berth, { graceSeconds: 0 });
    expect(run.status).toBe(200);
    const report = (await run.json()) as Record<string, unknown>;
    expect(report).toMatchObject({ dryRun: false, linksDeleted: 3, blobsDeleted: 1, bytesFreed: own.length, error: null });
    expect(typeof report.durationMs).toBe('number');
    expect(existsSync(blobFile(berth, digestOf(own)))).toBe(false);
    expect((await fetch(`${berth.url}/v2/gc/a/blobs/${digestOf(own)}`)).status).toBe(404);
    for (const descriptor of [b.manifest.config, ...b.manifest.layers]) {
      expect(existsSync(blobFile(berth, descriptor.digest))).toBe(true);
      expect(await blobDigestOk(berth, 'gc/b', descriptor.digest)).toBe(true);
    }

    const history = await fetch(`${berth.url}/api/v1/system/gc?limit=2`);
    expect(history.status).toBe(200);
    expect(((await history.json()) as Array<{ dryRun: boolean; blobsDeleted: number }>).map((r) => [r.dryRun, r.blobsDeleted])).toEqual([[false, 1], [true, 1]]);
  });

  it('keeps what was pushed within the default grace window', async () => {
    const fresh = `fresh-${randomBytes(8).toString('hex')}`;
    const image = await pushImage(berth.url, 'gc/c', 'v1', [fresh]);
    expect((await fetch(`${berth.url}/v2/gc/c/manifests/${image.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect(await (await gc(berth, {})).json()).toMatchObject({ graceSeconds: 7200, linksDeleted: 0, blobsDeleted: 0 });
    expect(existsSync(blobFile(berth, digestOf(fresh)))).toBe(true);
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const before = (await (await fetch(`${berth.url}/api/v1/system/gc?limit=1000`)).json()) as unknown[];
    for (const body of [{ graceSeconds: -1 }, { graceSeconds: 1.5 }, { dryRun: 'yes' }, { everything: true }]) {
      const res = await gc(berth, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('INVALID');
    }
    expect((await fetch(`${berth.url}/api/v1/system/gc?limit=0`)).status).toBe(400);
    expect(((await (await fetch(`${berth.url}/api/v1/system/gc?limit=1000`)).json()) as unknown[]).length).toBe(before.length);
  });

  it('runs from the CLI: berth gc --dry-run --json', async () => {
    const run = await runCliOk(['gc', '--dry-run', '--json', '--grace-seconds', '0', '--server', berth.url]);
    expect(JSON.parse(run.stdout)).toMatchObject({ dryRun: true, graceSeconds: 0, error: null });
    const history = await runCliOk(['gc', '--history', '--json', '--server', berth.url]);
    expect((JSON.parse(history.stdout) as Array<{ dryRun: boolean }>)[0]).toMatchObject({ dryRun: true });
  });
});

describe('scheduled garbage collection', () => {
  let berth: BerthProcess;
  beforeAll(async () => {
    // Every 0.0005 h (1.8 s), collecting everything unreferenced.
    berth = await startBerth({ env: { BERTH_STORAGE_FSYNC: 'false', BERTH_GC_INTERVAL_HOURS: '0.0005', BERTH_GC_GRACE_SECONDS: '0' } });
  });
  afterAll(async () => {
    await berth?.dispose();
  });

  it('runs on its own when gc.intervalHours is set', async () => {
    const own = `scheduled-${randomBytes(16).toString('hex')}`;
    const image = await pushImage(berth.url, 'gc/s', 'v1', [own]);
    expect((await fetch(`${berth.url}/v2/gc/s/manifests/${image.digest}`, { method: 'DELETE' })).status).toBe(202);
    const deadline = Date.now() + 60_000;
    while (existsSync(blobFile(berth, digestOf(own))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(blobFile(berth, digestOf(own)))).toBe(false);
    const runs = (await (await fetch(`${berth.url}/api/v1/system/gc`)).json()) as Array<{ dryRun: boolean; graceSeconds: number }>;
    expect(runs[0]).toMatchObject({ dryRun: false, graceSeconds: 0 });
  });
});

describe('garbage collection access', () => {
  let berth: BerthProcess;
  const admin = withBasic('admin', 'admin-password-1');
  beforeAll(async () => {
    berth = await startBerth({ adminPassword: 'admin-password-1' });
    const created = await fetch(`${berth.url}/api/v1/users`, { method: 'POST', headers: { ...json, ...admin }, body: JSON.stringify({ username: 'dev', password: 'dev-password-1' }) });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await berth?.dispose();
  });

  it('lets only system administrators run garbage collection or list its runs', async () => {
    expect((await gc(berth, { dryRun: true })).status).toBe(401);
    expect((await gc(berth, { dryRun: true }, withBasic('dev', 'dev-password-1'))).status).toBe(403);
    expect((await fetch(`${berth.url}/api/v1/system/gc`, { headers: withBasic('dev', 'dev-password-1') })).status).toBe(403);
    expect((await fetch(`${berth.url}/api/v1/system/gc`)).status).toBe(401);
    const res = await gc(berth, { dryRun: true }, admin);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dryRun: true, blobsDeleted: 0 });
  });
});
