// The KubeAI deployer example (docs/examples/kubeai-deployer.mjs) as a CD pipeline would run it:
// a real Berth sends alias events to it; when `production` is set or moved it applies the KubeAI
// Model that Berth renders for the new version. No cluster here, so APPLY writes what kubectl would
// receive to a file; the test compares it with Berth's own rendering and the KubeAI CRD's kind.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { isolatedEnv, pushFixture } from '../support/hub-models.js';
import { writeModelFixture } from '../support/model-fixtures.js';
import { freePort } from '../support/ports.js';
import { apiClient, eventually, must } from '../support/registry-auth.js';
import { waitFor } from '../support/webhook-receiver.js';

const SCRIPT = resolve(import.meta.dirname, '../../docs/examples/kubeai-deployer.mjs');
const ADMIN = { username: 'admin', password: 'admin-password-1' };
const SECRET = 'deployer-signing-secret-99';
let berth: BerthProcess;
let work: string;
let deployer: ChildProcess;
let deployerUrl: string;
let deployerLog = '';
let admin: ReturnType<typeof apiClient>;
/** What was applied, in order; a file appears whole (written aside, then renamed). */
const applied = () => readdirSync(join(work, 'applied')).filter((f) => !f.startsWith('.')).sort().map((f) => readFileSync(join(work, 'applied', f), 'utf8'));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-deployer-'));
  berth = await startBerth({ adminPassword: ADMIN.password, env: { BERTH_WEBHOOK_POLL_MS: '50', BERTH_WEBHOOK_RETRY_BASE_SECONDS: '0.2' } });
  admin = apiClient(berth.url, ADMIN);
  await must(admin.post('/api/v1/projects', { name: 'llm', public: false }), 201);
  const fixture = await writeModelFixture(join(work, 'model'));
  const env = isolatedEnv(work);
  await pushFixture(berth.host, 'llm/tiny', 'v1', fixture, env, `${ADMIN.username}:${ADMIN.password}`);
  appendFileSync(join(fixture.dir, 'README.md'), '\nSecond version.\n');
  await pushFixture(berth.host, 'llm/tiny', 'v2', fixture, env, `${ADMIN.username}:${ADMIN.password}`);
  const token = (await must(admin.post('/api/v1/tokens', { name: 'deployer', scopes: ['pull'] }), 201)).body.token as string;

  const port = await freePort();
  deployerUrl = `http://127.0.0.1:${port}/`;
  mkdirSync(join(work, 'applied'));
  deployer = spawn(process.execPath, [SCRIPT], {
    env: { ...process.env, WEBHOOK_SECRET: SECRET, BERTH_URL: berth.url, BERTH_TOKEN: token, PORT: String(port), HOST: '127.0.0.1', KUBEAI_QUERY: 'resourceProfile=nvidia-gpu-l4:1', APPLY: `t=$(mktemp -p ${join(work, 'applied')} .partial.XXXXXX) && cat > $t && mv $t ${join(work, 'applied')}/$(date +%s%N).yaml` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  deployer.stderr!.on('data', (c: Buffer) => (deployerLog += c.toString()));
  deployer.stdout!.on('data', (c: Buffer) => (deployerLog += c.toString()));
  // Up once it refuses an unsigned request.
  await eventually(async () => ((await fetch(deployerUrl, { method: 'POST', body: '{}' }).then((r) => r.status).catch(() => 0)) === 401 ? true : undefined), 'the deployer to start', 5000);
  await must(admin.post('/api/v1/projects/llm/webhooks', { url: deployerUrl, events: ['alias.set', 'alias.moved'], secret: SECRET }), 201);
}, 120_000);

afterAll(async () => {
  deployer?.kill();
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('kubeai-deployer example', () => {
  it('applies the KubeAI Model of the version production moves to, once per event, and ignores other aliases', async () => {
    const rendered = async (version: string) => (await must(admin.get(`/api/v1/models/llm/tiny/kubeai?revision=${version}&resourceProfile=nvidia-gpu-l4:1`), 200)).text;
    await must(admin.put('/api/v1/models/llm/tiny/aliases/production', { version: 'v1' }), 200);
    await waitFor(() => applied().length === 1, 'the first apply', 15_000).catch((err: Error) => {
      throw new Error(`${err.message}; deployer said: ${deployerLog}`);
    });
    expect(applied()[0]).toBe(await rendered('v1'));
    const model = parse(applied()[0]!);
    expect(model).toMatchObject({ apiVersion: 'kubeai.org/v1', kind: 'Model', spec: { resourceProfile: 'nvidia-gpu-l4:1' } });

    await must(admin.put('/api/v1/models/llm/tiny/aliases/staging', { version: 'v2' }), 200);
    await must(admin.put('/api/v1/models/llm/tiny/aliases/production', { version: 'v2' }), 200);
    await waitFor(() => applied().length === 2, 'the second apply', 15_000);
    expect(applied()[1]).toBe(await rendered('v2'));
    expect(applied()[1]).not.toBe(applied()[0]);

    const policy = (await must(admin.get('/api/v1/projects/llm/webhooks'), 200)).body[0];
    const log = (await must(admin.get(`/api/v1/webhooks/${policy.id}/deliveries`), 200)).body as Array<{ id: number; status: string; eventType: string; event: { data: { alias: string } } }>;
    expect(log.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const moved = log.find((d) => d.eventType === 'alias.moved' && d.event.data.alias === 'production')!;
    await must(admin.post(`/api/v1/webhooks/${policy.id}/deliveries/${moved.id}/redeliver`), 202);
    const latest = await eventually(async () => {
      const [newest] = (await must(admin.get(`/api/v1/webhooks/${policy.id}/deliveries?limit=1`), 200)).body;
      return newest.status === 'delivered' ? newest : undefined;
    }, 'the redelivery to be answered', 10_000);
    expect(latest.lastStatusCode).toBe(204);
    expect(applied()).toHaveLength(2);
  });

  it('refuses requests without a valid signature', async () => {
    const forged = await fetch(deployerUrl, {
      method: 'POST',
      headers: { 'webhook-id': 'x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: JSON.stringify({ id: 'x', event: 'alias.moved', event_data: { alias: 'production', model: 'llm/tiny', version: 'v1' } }),
    });
    expect(forged.status).toBe(401);
    expect(applied()).toHaveLength(2);
  });
});
