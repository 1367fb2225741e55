// `berth webhook` against a listening Berth and a real receiver: create (project and --system),
// ls, test, deliveries, redeliver, set, rm, and clear errors for bad input.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCli, runCliOk } from '../support/cli.js';
import { apiClient, must, mustPushImage, RegistryClient } from '../support/registry-auth.js';
import { signatureValid, startReceiver, waitFor, type WebhookReceiver } from '../support/webhook-receiver.js';

const ADMIN = { username: 'admin', password: 'admin-password-1' };
const SECRET = 'cli-signing-secret-1234';
let berth: BerthProcess;
let receiver: WebhookReceiver;
let work: string;
const env = () => ({ XDG_CONFIG_HOME: join(work, 'config'), DOCKER_CONFIG: join(work, 'docker'), BERTH_TOKEN: '', BERTH_SERVER: '' });
const cli = (...args: string[]) => runCliOk(['webhook', ...args, '--server', berth.url, '--creds', `${ADMIN.username}:${ADMIN.password}`], env());
const json = async (...args: string[]) => JSON.parse((await cli(...args, '--json')).stdout);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-hook-cli-'));
  receiver = await startReceiver();
  berth = await startBerth({ adminPassword: ADMIN.password, env: { BERTH_WEBHOOK_POLL_MS: '50' } });
  await must(apiClient(berth.url, ADMIN).post('/api/v1/projects', { name: 'team', public: false }), 201);
});
afterAll(async () => {
  await berth.dispose();
  await receiver.close();
  rmSync(work, { recursive: true, force: true });
});

describe('berth webhook', () => {
  it('creates, lists, tests, shows deliveries, redelivers, changes and removes policies', async () => {
    const created = await json('create', 'team', '--url', receiver.url, '--events', 'artifact.pushed, CREATE_TAG', '--secret', SECRET, '--name', 'ci');
    expect(created).toMatchObject({ project: 'team', name: 'ci', events: ['artifact.pushed', 'tag.created'], hasSecret: true, format: 'default' });
    const system = await json('create', '--system', '--url', receiver.url, '--events', 'project.created', '--format', 'cloudevents');
    expect(system).toMatchObject({ project: null, format: 'cloudevents' });

    const table = (await cli('ls', 'team')).stdout;
    expect(table).toMatch(/^ID\s+PROJECT\s+NAME\s+URL/);
    expect(table).toContain(receiver.url);
    expect((await json('ls', '--system')).map((p: { id: number }) => p.id)).toEqual([system.id]);

    const tested = await cli('test', String(created.id));
    expect(tested.stdout).toMatch(/success:\s+true/);
    expect(receiver.received.at(-1)?.json.event).toBe('webhook.test');
    expect(signatureValid(receiver.received.at(-1)!, SECRET)).toBe(true);

    await mustPushImage(new RegistryClient(berth.url, ADMIN), 'team/app', 'v1');
    await waitFor(() => receiver.received.filter((h) => h.json?.event === 'tag.created').length === 1, 'the tag event');
    let log = await json('deliveries', String(created.id));
    for (let i = 0; i < 50 && log.some((d: { status: string }) => d.status === 'pending'); i++) log = await json('deliveries', String(created.id));
    expect(log.map((d: { eventType: string }) => d.eventType).sort()).toEqual(['artifact.pushed', 'tag.created', 'webhook.test']);
    const tag = log.find((d: { eventType: string }) => d.eventType === 'tag.created');
    expect(tag).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 });
    expect((await cli('deliveries', String(created.id), '--status', 'failed')).stdout.trim().split('\n')).toHaveLength(1);

    await cli('redeliver', String(created.id), String(tag.id));
    await waitFor(() => receiver.received.filter((h) => h.json?.event === 'tag.created').length === 2, 'the redelivered tag event');
    const [again, first] = receiver.received.filter((h) => h.json?.event === 'tag.created').reverse();
    expect(again!.json.id).toBe(first!.json.id);

    expect(await json('set', String(created.id), '--disable')).toMatchObject({ enabled: false });
    receiver.fallback = { status: 500 };
    const failing = await runCli(['webhook', 'test', String(created.id), '--server', berth.url, '--creds', `${ADMIN.username}:${ADMIN.password}`], env());
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/success:\s+false/);
    await cli('rm', String(created.id));
    expect(await json('ls', 'team')).toEqual([]);
  });

  it('explains bad input', async () => {
    const bad = await runCli(['webhook', 'create', 'team', '--url', 'ftp://x/y', '--events', 'artifact.pushed', '--server', berth.url, '--creds', `${ADMIN.username}:${ADMIN.password}`], env());
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/http or https/);
    const both = await runCli(['webhook', 'create', 'team', '--system', '--url', receiver.url, '--events', 'artifact.pushed', '--server', berth.url], env());
    expect(both.stderr).toMatch(/name a project, or pass --system/);
    const id = await runCli(['webhook', 'rm', 'seven', '--server', berth.url], env());
    expect(id.stderr).toMatch(/not a webhook or delivery id/);
  });
});
