// At-least-once across crashes: events are written with the changes that cause them, so a receiver
// that is down while Berth is killed with SIGKILL and restarted still gets every event, in order,
// with the event id it needs to drop duplicates. Two replicas on one PostgreSQL share the work
// without sending any event twice while both are up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, postgresAvailable } from '../support/postgres.js';
import { apiClient, eventually, must, mustPushImage, RegistryClient, type Credentials } from '../support/registry-auth.js';
import { signatureValid, startReceiver, waitFor, type WebhookReceiver } from '../support/webhook-receiver.js';

const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };
const SECRET = 'durable-signing-secret-42';
const ENV = { BERTH_WEBHOOK_POLL_MS: '50', BERTH_WEBHOOK_RETRY_BASE_SECONDS: '0.1', BERTH_WEBHOOK_RETRY_MAX_SECONDS: '0.5', BERTH_WEBHOOK_MAX_ATTEMPTS: '100', BERTH_WEBHOOK_TIMEOUT_SECONDS: '2' };

const postgresUp = await postgresAvailable();
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

async function started(options: Parameters<typeof startBerth>[0]): Promise<BerthProcess> {
  const berth = await startBerth({ adminPassword: ADMIN.password, ...options, env: { ...ENV, ...options?.env } });
  cleanup.push(() => berth.dispose());
  return berth;
}

async function listening(port: number): Promise<WebhookReceiver> {
  const r = await startReceiver(port);
  cleanup.push(() => r.close());
  return r;
}

describe('durable delivery', () => {
  it('delivers every event after Berth is killed and restarted while the receiver was down', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-hooks-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const first = await started({ dataDir });
    const admin = apiClient(first.url, ADMIN);
    await must(admin.post('/api/v1/projects', { name: 'team', public: false }), 201);
    const policy = await must(admin.post('/api/v1/projects/team/webhooks', { url: `http://127.0.0.1:${port}/hook`, events: ['artifact.pushed', 'tag.created'], secret: SECRET }), 201);
    const registry = new RegistryClient(first.url, ADMIN);
    const digests: string[] = [];
    for (let i = 0; i < 5; i++) digests.push((await mustPushImage(registry, 'team/app', `v${i}`)).digest);
    const log = `/api/v1/webhooks/${policy.body.id}/deliveries?limit=100`;
    const retried = await eventually(async () => {
      const entries = (await must(admin.get(log), 200)).body as Array<{ attempts: number; lastError: string | null }>;
      return entries.length === 10 && entries.some((d) => d.attempts >= 2) ? entries : undefined;
    }, 'failed attempts at the absent receiver', 10_000);
    expect(retried.every((d) => d.attempts === 0 || d.lastError !== null)).toBe(true);
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(Number(/^berth_webhook_backlog (\d+)$/m.exec(metrics)?.[1])).toBe(10);
    await first.kill();

    const receiver = await listening(port);
    const second = await started({ dataDir });
    await waitFor(() => new Set(receiver.received.filter((h) => h.status === 200).map((h) => h.json.id)).size === 10, 'all ten events after the restart', 20_000);
    const firstSeen = [...new Map(receiver.received.map((h) => [h.json.id as string, h])).values()];
    expect(firstSeen.every((h) => signatureValid(h, SECRET))).toBe(true);
    expect(firstSeen.map((h) => h.json.event)).toEqual(digests.flatMap(() => ['artifact.pushed', 'tag.created']));
    expect(firstSeen.filter((h) => h.json.event === 'artifact.pushed').map((h) => h.json.event_data.resources[0].digest)).toEqual(digests);
    expect(firstSeen.filter((h) => h.json.event === 'tag.created').map((h) => h.json.event_data.tag)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    const statuses = await eventually(async () => {
      const now = ((await must(apiClient(second.url, ADMIN).get(log), 200)).body as Array<{ status: string }>).map((d) => d.status);
      return now.includes('pending') ? undefined : now;
    }, 'the delivery log to settle', 5000);
    expect(statuses).toEqual(Array(10).fill('delivered'));
  });

  it.runIf(postgresUp)('shares deliveries between two replicas on one PostgreSQL, sending each event once while both run', async () => {
    const db = await createTestDatabase();
    cleanup.push(() => db.drop());
    const storage = mkdtempSync(join(tmpdir(), 'berth-hooks-shared-'));
    cleanup.push(async () => rmSync(storage, { recursive: true, force: true }));
    const env = { BERTH_DATABASE_URL: db.url, BERTH_STORAGE_PATH: storage };
    const a = await started({ env });
    const b = await started({ env });
    const receiver = await listening(0);
    await must(apiClient(a.url, ADMIN).post('/api/v1/projects', { name: 'team', public: false }), 201);
    await must(apiClient(b.url, ADMIN).post('/api/v1/projects/team/webhooks', { url: receiver.url, events: ['tag.created'] }), 201);
    const tags: string[] = [];
    for (let i = 0; i < 12; i++) {
      const via = new RegistryClient((i % 2 === 0 ? a : b).url, ADMIN);
      await mustPushImage(via, 'team/app', `t${i}`);
      tags.push(`t${i}`);
    }
    await waitFor(() => receiver.received.length >= 12, 'twelve tag events', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.map((h) => h.json.event_data.tag)).toEqual(tags);
    expect(new Set(receiver.received.map((h) => h.json.id)).size).toBe(12);
  });
});
