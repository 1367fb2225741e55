// Webhooks end to end on a listening Berth with access control on, delivering to real HTTP receivers
// started by the test: every event type arrives signed (checked with an independent HMAC), in order,
// in Berth's Harbor-compatible JSON or in CloudEvents; a receiver that fails and recovers gets the
// event exactly once more after recovery, spaced by the backoff (and Retry-After); a delivery that
// keeps failing is given up, kept in the log and redelivered on demand; bad targets are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBSCRIBABLE_EVENTS } from '../../src/core/events/domain-events.js';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { descriptorOf } from '../support/oci-client.js';
import { apiClient, eventually, imageOf, must, pushBlobAs, pushImageAs, putManifestAs, RegistryClient, mustPushImage, type Credentials } from '../support/registry-auth.js';
import { signatureValid, startReceiver, waitFor, type ReceivedHook, type WebhookReceiver } from '../support/webhook-receiver.js';

const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };
const SECRET = 'test-signing-secret-0123456789';
const BASE_MS = 200;
/** Fast retries for tests: 0.2 s doubling, at most 5 attempts. */
export const FAST_RETRIES = { BERTH_WEBHOOK_POLL_MS: '50', BERTH_WEBHOOK_RETRY_BASE_SECONDS: String(BASE_MS / 1000), BERTH_WEBHOOK_RETRY_MAX_SECONDS: '5', BERTH_WEBHOOK_MAX_ATTEMPTS: '5', BERTH_WEBHOOK_TIMEOUT_SECONDS: '2' };

let berth: BerthProcess;
let admin: ReturnType<typeof apiClient>;
let registry: RegistryClient;
const receivers: WebhookReceiver[] = [];

async function receiver(): Promise<WebhookReceiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

/** Pushes a minimal ModelPack artifact (config + one weight file) under `tag`. */
async function pushModel(repo: string, tag: string, seed: string): Promise<string> {
  const config = JSON.stringify({ descriptor: { name: seed }, config: { format: 'safetensors' }, modelfs: { type: 'layers', diffIds: [] } });
  const weight = `weights of ${seed}`;
  for (const blob of [config, weight]) if (!(await pushBlobAs(registry, repo, blob)).ok) throw new Error('blob push failed');
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cncf.model.manifest.v1+json',
    config: descriptorOf(config, 'application/vnd.cncf.model.config.v1+json'),
    layers: [descriptorOf(weight, 'application/vnd.cncf.model.weight.v1.raw', { annotations: { 'org.cncf.model.filepath': 'model.safetensors' } })],
  });
  const res = await putManifestAs(registry, repo, tag, manifest);
  if (res.status !== 201) throw new Error(`manifest push: ${res.status} ${await res.text()}`);
  return res.headers.get('docker-content-digest')!;
}

const byType = (hooks: ReceivedHook[], type: string) => hooks.filter((h) => h.json?.event === type);
const indexOf = (hooks: ReceivedHook[], type: string) => hooks.findIndex((h) => h.json?.event === type);

beforeAll(async () => {
  berth = await startBerth({ adminPassword: ADMIN.password, env: FAST_RETRIES });
  admin = apiClient(berth.url, ADMIN);
  registry = new RegistryClient(berth.url, ADMIN);
});
afterAll(async () => {
  await berth.dispose();
  for (const r of receivers) await r.close();
});

describe('event delivery', () => {
  it('delivers every event type, signed and in order, in the Harbor-compatible format and as CloudEvents', async () => {
    const all = await receiver();
    const cloud = await receiver();
    const everything = await must(admin.post('/api/v1/system/webhooks', { name: 'everything', url: all.url, events: SUBSCRIBABLE_EVENTS, secret: SECRET }), 201);
    expect(everything.body).toMatchObject({ project: null, hasSecret: true, format: 'default', enabled: true });
    expect(everything.body.secret).toBeUndefined();

    await must(admin.post('/api/v1/projects', { name: 'team', public: false }), 201);
    const ce = await must(admin.post('/api/v1/projects/team/webhooks', { url: cloud.url, events: ['PUSH_ARTIFACT'], format: 'cloudevents' }), 201);
    expect(ce.body.events).toEqual(['artifact.pushed']);
    await must(admin.post('/api/v1/users', { username: 'bob', password: 'bob-password-1' }), 201);
    await must(admin.put('/api/v1/projects/team/members/bob', { role: 'developer' }), 200);
    await must(admin.put('/api/v1/projects/team/members/bob', { role: 'maintainer' }), 200);
    await must(admin.delete('/api/v1/projects/team/members/bob'), 204);

    const v1 = await pushModel('team/llm', 'v1', 'one');
    const v1b = await pushModel('team/llm', 'v1', 'two');
    const rebound = (await must(admin.get('/api/v1/models/team/llm'), 200)).body;
    const second = JSON.stringify(rebound).match(/v1-[0-9a-f]{12}/)?.[0];
    expect(second).toBeDefined();
    const pulled = await registry.fetch('/v2/team/llm/manifests/v1', { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(pulled.status).toBe(200);
    await pulled.arrayBuffer();

    await must(admin.put('/api/v1/models/team/llm/aliases/production', { version: 'v1' }), 200);
    await must(admin.put('/api/v1/models/team/llm/aliases/production', { version: second }), 200);
    await must(admin.delete('/api/v1/models/team/llm/aliases/production'), 200);
    await must(admin.post('/api/v1/models/team/llm/versions/v1/archive'), 200);
    expect((await registry.fetch('/v2/team/llm/manifests/v1', { method: 'DELETE' })).status).toBe(202);
    await must(admin.delete('/api/v1/models/team/llm/versions/v1'), 200);
    await must(admin.post('/api/v1/projects', { name: 'scratch', public: false }), 201);
    await must(admin.delete('/api/v1/projects/scratch'), 204);
    const keepAll = { enabled: true, rules: [{ template: 'always', tagSelector: { decoration: 'matches', pattern: '**' }, repositorySelector: { decoration: 'repoMatches', pattern: '**' } }] };
    await must(admin.put('/api/v1/projects/team/retention', keepAll), 200);
    await must(admin.post('/api/v1/projects/team/retention/runs', { dryRun: true }), 202);
    // Quotas: a push that fills the project's limit warns, the next one is refused.
    await must(admin.post('/api/v1/projects', { name: 'quota', public: false }), 201);
    const fits = imageOf('quota:fits', ['quota layer']);
    await must(admin.put('/api/v1/projects/quota/quota', { hard: { storage: fits.config.length + fits.layers.join('').length + fits.bytes.length } }), 200);
    await mustPushImage(registry, 'quota/app', 'v1', 'quota:fits', ['quota layer']);
    expect((await pushImageAs(registry, 'quota/app', 'v2', 'quota:over', ['another layer'])).res.status).toBe(403);

    await waitFor(() => SUBSCRIBABLE_EVENTS.every((t) => byType(all.received, t).length > 0), `every event type at the receiver (got ${[...new Set(all.received.map((h) => h.json?.event))].join(', ')})`, 20_000);
    const hooks = all.received;
    for (const hook of hooks) {
      expect(signatureValid(hook, SECRET)).toBe(true);
      expect(hook.headers['content-type']).toBe('application/json');
      expect(hook.headers['webhook-id']).toBe(hook.json.id);
      expect(hook.headers['x-berth-event']).toBe(hook.json.event);
      expect(Math.abs(Number(hook.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(120);
    }
    expect(new Set(hooks.map((h) => h.json.id)).size).toBe(hooks.length);
    expect(signatureValid({ ...hooks[0]!, body: hooks[0]!.body.replace('"operator"', '"operatoR"') }, SECRET)).toBe(false);

    // Causal order per policy.
    for (const chain of [['project.created', 'member.added', 'member.updated', 'member.removed'], ['tag.created', 'tag.moved', 'artifact.pulled'], ['alias.set', 'alias.moved', 'alias.removed', 'model_version.archived', 'tag.deleted', 'artifact.deleted', 'model_version.deleted'], ['artifact.deleted', 'project.deleted']]) {
      const positions = chain.map((t) => indexOf(hooks, t));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }

    const push = byType(hooks, 'artifact.pushed').find((h) => h.json.event_data.resources[0].digest === v1)!;
    expect(push.json).toMatchObject({
      type: 'PUSH_ARTIFACT',
      operator: 'admin',
      project: 'team',
      event_data: {
        resources: [{ digest: v1, tag: 'v1', resource_url: `${berth.host}/team/llm:v1`, artifact_type: 'application/vnd.cncf.model.manifest.v1+json' }],
        repository: { name: 'llm', namespace: 'team', repo_full_name: 'team/llm' },
      },
    });
    expect(Number.isInteger(push.json.occur_at)).toBe(true);
    expect(byType(hooks, 'artifact.pulled')[0]!.json).toMatchObject({ type: 'PULL_ARTIFACT', event_data: { resources: [{ digest: v1b, tag: 'v1', pull_count: 1 }] } });
    expect(byType(hooks, 'tag.moved')[0]!.json.event_data).toEqual({ repository: 'team/llm', tag: 'v1', digest: v1b, previousDigest: v1 });
    expect(byType(hooks, 'model_version.created').map((h) => h.json.event_data.version)).toEqual(['v1', second]);
    expect(byType(hooks, 'model_version.created')[0]!.json.event_data).toMatchObject({ model: 'team/llm', digest: v1, tag: 'v1', uri: `oci://${berth.host}/team/llm@${v1}` });
    expect(byType(hooks, 'alias.moved')[0]!.json.event_data).toMatchObject({ model: 'team/llm', alias: 'production', version: second, previousVersion: 'v1' });
    expect(byType(hooks, 'alias.removed')[0]!.json.event_data).toMatchObject({ alias: 'production', version: null, previousVersion: second });
    expect(byType(hooks, 'member.updated')[0]!.json.event_data).toEqual({ project: 'team', username: 'bob', role: 'maintainer', previousRole: 'developer' });
    expect(byType(hooks, 'artifact.deleted')[0]!.json).toMatchObject({ type: 'DELETE_ARTIFACT', event_data: { resources: [{ digest: v1 }] } });
    expect(byType(hooks, 'model_version.deleted')[0]!.json.event_data).toMatchObject({ version: 'v1', digest: v1 });

    await waitFor(() => cloud.received.length >= 2, 'two CloudEvents');
    const [c1, c2] = cloud.received;
    expect(c1!.headers['content-type']).toBe('application/cloudevents+json');
    expect(c1!.headers['webhook-signature']).toBeUndefined();
    expect(c1!.json).toMatchObject({ specversion: '1.0', type: 'io.berth.artifact.pushed', source: `/projects/team/webhook/policies/${ce.body.id}`, subject: 'team/llm', operator: 'admin', datacontenttype: 'application/json' });
    expect(c1!.json.id).toBe(c1!.headers['webhook-id']);
    expect(new Date(c1!.json.time).toISOString()).toBe(c1!.json.time);
    expect([c1!.json.data.resources[0].digest, c2!.json.data.resources[0].digest]).toEqual([v1, v1b]);

    // The receiver records a request before it answers, so the log catches up a moment later.
    type Entry = { status: string; attempts: number; lastStatusCode: number };
    const settled = async () => {
      const entries = (await must(admin.get(`/api/v1/webhooks/${everything.body.id}/deliveries?limit=1000`), 200)).body as Entry[];
      return entries.every((d) => d.status !== 'pending') ? entries : undefined;
    };
    const log = await eventually(settled, 'the delivery log to settle', 5000);
    expect(log.length).toBe(hooks.length);
    expect(log.every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatusCode === 200)).toBe(true);
  });

  it('retries a failing receiver with backoff and Retry-After, and delivers exactly once more after it recovers', async () => {
    const flaky = await receiver();
    flaky.answers = [{ status: 503 }, { status: 500 }, { status: 429, headers: { 'retry-after': '1' } }];
    await must(admin.post('/api/v1/projects', { name: 'flaky', public: false }), 201);
    const policy = await must(admin.post('/api/v1/projects/flaky/webhooks', { url: flaky.url, events: ['tag.created'], secret: SECRET }), 201);
    await mustPushImage(registry, 'flaky/app', 't1');
    await waitFor(() => flaky.received.some((h) => h.status === 200), 'the delivery after recovery', 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(flaky.received.map((h) => h.status)).toEqual([503, 500, 429, 200]);
    expect(new Set(flaky.received.map((h) => h.headers['webhook-id'])).size).toBe(1);
    expect(flaky.received.every((h) => signatureValid(h, SECRET))).toBe(true);
    const at = flaky.received.map((h) => h.at);
    // Jittered exponential backoff: attempt n+1 waits at least half of base * 2^(n-1); Retry-After: 1 s.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(BASE_MS / 2);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(BASE_MS);
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(950);
    const [delivery] = (await must(admin.get(`/api/v1/webhooks/${policy.body.id}/deliveries`), 200)).body;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, lastStatusCode: 200, eventType: 'tag.created', lastError: null });
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    const slow = await receiver();
    slow.answers = [{ status: 200, delayMs: 4000 }];
    await must(admin.post('/api/v1/projects', { name: 'slow', public: false }), 201);
    const policy = await must(admin.post('/api/v1/projects/slow/webhooks', { url: slow.url, events: ['tag.created'] }), 201);
    await mustPushImage(registry, 'slow/app', 't1');
    await waitFor(() => slow.received.length === 2, 'a second attempt after the timeout', 10_000);
    expect(slow.received[1]!.at - slow.received[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(slow.received[1]!.headers['webhook-id']).toBe(slow.received[0]!.headers['webhook-id']);
    const delivered = await eventuallyDelivery(`/api/v1/webhooks/${policy.body.id}/deliveries`, (d) => d.status === 'delivered');
    expect(delivered).toMatchObject({ attempts: 2, lastStatusCode: 200 });
  });

  it('gives a delivery up after the last attempt, keeps the failure, moves on, and redelivers on demand', async () => {
    const down = await receiver();
    down.fallback = { status: 500 };
    await must(admin.post('/api/v1/projects', { name: 'down', public: false }), 201);
    const policy = await must(admin.post('/api/v1/projects/down/webhooks', { url: down.url, events: ['tag.created', 'tag.deleted'] }), 201);
    await mustPushImage(registry, 'down/app', 'a');
    const deliveries = `/api/v1/webhooks/${policy.body.id}/deliveries`;
    await waitFor(() => down.received.length >= 5, 'five attempts', 15_000);
    const failed = await eventuallyDelivery(deliveries, (d) => d.status === 'failed');
    expect(failed).toMatchObject({ attempts: 5, lastStatusCode: 500, lastError: 'receiver answered 500', nextAttemptAt: null });
    down.fallback = { status: 200 };
    expect((await registry.fetch('/v2/down/app/manifests/a', { method: 'DELETE' })).status).toBe(202);
    await waitFor(() => down.received.some((h) => h.json?.event === 'tag.deleted' && h.status === 200), 'the next event of the policy');
    const redelivered = await must(admin.post(`${deliveries}/${failed.id}/redeliver`), 202);
    expect(redelivered.body).toMatchObject({ status: 'pending', eventId: failed.eventId });
    await waitFor(() => down.received.filter((h) => h.headers['webhook-id'] === failed.eventId && h.status === 200).length === 1, 'the redelivery');
    const bad = await receiver();
    bad.fallback = { status: 400 };
    await must(admin.patch(`/api/v1/webhooks/${policy.body.id}`, { url: bad.url }), 200);
    await mustPushImage(registry, 'down/app', 'b');
    await waitFor(() => bad.received.length === 1, 'one attempt at a receiver refusing with 400');
    expect(await eventuallyDelivery(deliveries, (d) => d.status === 'failed' && d.lastStatusCode === 400)).toMatchObject({ attempts: 1 });
  });

  it('sends a test event on demand and reports what the receiver answered', async () => {
    const r = await receiver();
    await must(admin.post('/api/v1/projects', { name: 'probe', public: false }), 201);
    const policy = await must(admin.post('/api/v1/projects/probe/webhooks', { url: r.url, events: ['artifact.pushed'], secret: SECRET }), 201);
    const ok = await must(admin.post(`/api/v1/webhooks/${policy.body.id}/test`), 200);
    expect(ok.body).toMatchObject({ success: true, delivery: { status: 'delivered', attempts: 1, lastStatusCode: 200, eventType: 'webhook.test' } });
    expect(r.received).toHaveLength(1);
    expect(signatureValid(r.received[0]!, SECRET)).toBe(true);
    expect(r.received[0]!.json).toMatchObject({ type: 'TEST_WEBHOOK', event: 'webhook.test', operator: 'admin', project: 'probe' });
    r.fallback = { status: 503 };
    const failed = await must(admin.post(`/api/v1/webhooks/${policy.body.id}/test`), 200);
    expect(failed.body).toMatchObject({ success: false, delivery: { status: 'failed', lastStatusCode: 503 } });
  });

  it('refuses bad targets and event names at creation with clear errors, creating nothing', async () => {
    await must(admin.post('/api/v1/projects', { name: 'targets', public: false }), 201);
    const port = berth.host.split(':')[1];
    const cases: Array<[string, RegExp]> = [
      ['not a url', /not a valid absolute URL/],
      ['ftp://127.0.0.1/hook', /http or https/],
      ['file:///etc/passwd', /http or https/],
      [`${berth.url}/v2/`, /points at this Berth server itself/],
      [`http://localhost:${port}/api/v1/projects`, /points at this Berth server itself/],
      [`http://[::1]:${port}/x`, /points at this Berth server itself/],
      ['http://user:secret@127.0.0.1:9/hook', /credentials/],
    ];
    for (const [url, message] of cases) {
      const r = await admin.post('/api/v1/projects/targets/webhooks', { url, events: ['artifact.pushed'] });
      expect(r.status, url).toBe(400);
      expect(r.body.errors[0].code).toBe('INVALID');
      expect(r.body.errors[0].message).toMatch(message);
    }
    const unknown = await admin.post('/api/v1/projects/targets/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['artifact.exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].message).toMatch(/unknown event type "artifact.exploded"; known: artifact.pushed/);
    const short = await admin.post('/api/v1/projects/targets/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['artifact.pushed'], secret: 'short' });
    expect(short.status).toBe(400);
    expect((await must(admin.get('/api/v1/projects/targets/webhooks'), 200)).body).toEqual([]);
  });

  it('lets project admins manage their project\'s webhooks, others not, and keeps system-wide ones to administrators', async () => {
    await must(admin.post('/api/v1/projects', { name: 'owned', public: false }), 201);
    for (const [user, role] of [['olga', 'projectAdmin'], ['max', 'maintainer'], ['dev', 'developer']] as const) {
      await must(admin.post('/api/v1/users', { username: user, password: `${user}-password-1` }), 201);
      await must(admin.put(`/api/v1/projects/owned/members/${user}`, { role }), 200);
    }
    const as = (user: string) => apiClient(berth.url, { username: user, password: `${user}-password-1` });
    const created = await must(as('olga').post('/api/v1/projects/owned/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['artifact.pushed'] }), 201);
    expect((await as('max').get('/api/v1/projects/owned/webhooks')).status).toBe(200);
    expect((await as('max').post('/api/v1/projects/owned/webhooks', { url: 'http://127.0.0.1:9/x', events: ['artifact.pushed'] })).status).toBe(403);
    expect((await as('max').delete(`/api/v1/webhooks/${created.body.id}`)).status).toBe(403);
    expect((await as('dev').get(`/api/v1/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await as('olga').post('/api/v1/system/webhooks', { url: 'http://127.0.0.1:9/x', events: ['artifact.pushed'] })).status).toBe(403);
    expect((await apiClient(berth.url).get('/api/v1/projects/owned/webhooks')).status).toBe(401);
    await must(as('olga').delete(`/api/v1/webhooks/${created.body.id}`), 204);
  });
});

/** Polls a delivery log until one entry satisfies `match`. */
async function eventuallyDelivery(path: string, match: (d: any) => boolean): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return eventually(async () => (await must(admin.get(path), 200)).body.find(match), `a matching delivery in ${path}`, 15_000);
}
