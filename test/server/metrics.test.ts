// /metrics against real servers: after a push and pulls the counters move by exactly what was sent,
// the text parses as Prometheus exposition, labels carry route patterns (never names, digests or
// upload ids), the PostgreSQL pool and the shared upload sessions show on PostgreSQL, it can be
// turned off, and two apps in one process keep separate registries.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { absolute, descriptorOf, digestOf, pushBlob, putManifest } from '../support/oci-client.js';
import { createTestDatabase, postgresAvailable } from '../support/postgres.js';
import { parsePrometheusText, valueOf, type Family } from '../support/prometheus.js';

type Metrics = Map<string, Family>;

async function scrape(url: string): Promise<Metrics> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

function delta(before: Metrics, after: Metrics, name: string, labels: Record<string, string> = {}): number {
  return valueOf(after, name, labels) - valueOf(before, name, labels);
}

const REPO = 'metricsproj/secret-model-name';

describe('/metrics', () => {
  let berth: BerthProcess;
  beforeAll(async () => {
    berth = await startBerth();
  });
  afterAll(async () => {
    await berth?.dispose();
  });

  it('counts requests, body bytes and upload sessions by what actually happened', async () => {
    const blob = randomBytes((1 << 20) + 12_345);
    const blobDigest = digestOf(blob);
    const before = await scrape(berth.url);

    // A chunked upload: a streamed PATCH (no Content-Length), a sized PATCH, then PUT with the digest.
    const post = await fetch(`${berth.url}/v2/${REPO}/blobs/uploads/`, { method: 'POST' });
    expect(post.status).toBe(202);
    let location = absolute(berth.url, post.headers.get('location')!);
    const firstPart = blob.subarray(0, 700_000);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < firstPart.length; at += 100_000) controller.enqueue(firstPart.subarray(at, at + 100_000));
        controller.close();
      },
    });
    const patch1 = await fetch(location, { method: 'PATCH', body: stream, duplex: 'half' } as RequestInit);
    expect(patch1.status).toBe(202);
    location = absolute(berth.url, patch1.headers.get('location')!);
    const patch2 = await fetch(location, { method: 'PATCH', body: blob.subarray(700_000), headers: { 'content-range': `700000-${blob.length - 1}` } });
    expect(patch2.status).toBe(202);
    location = absolute(berth.url, patch2.headers.get('location')!);
    expect((await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${blobDigest}`, { method: 'PUT' })).status).toBe(201);

    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    await pushBlob(berth.url, REPO, config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptorOf(config, 'application/vnd.oci.image.config.v1+json'),
      layers: [descriptorOf(blob, 'application/vnd.oci.image.layer.v1.tar')],
    });
    expect((await putManifest(berth.url, REPO, 'v1', manifest)).status).toBe(201);

    // Pulls, a miss, and two more sessions: one cancelled, one left open.
    for (let i = 0; i < 2; i++) expect(Buffer.from(await (await fetch(`${berth.url}/v2/${REPO}/blobs/${blobDigest}`)).arrayBuffer()).equals(blob)).toBe(true);
    expect((await fetch(`${berth.url}/v2/${REPO}/blobs/${blobDigest}`, { method: 'HEAD' })).status).toBe(200);
    const pulled = await fetch(`${berth.url}/v2/${REPO}/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(await pulled.text()).toBe(manifest);
    expect((await fetch(`${berth.url}/v2/${REPO}/blobs/${digestOf('absent')}`)).status).toBe(404);
    const cancelled = await fetch(`${berth.url}/v2/${REPO}/blobs/uploads/`, { method: 'POST' });
    expect((await fetch(absolute(berth.url, cancelled.headers.get('location')!), { method: 'DELETE' })).status).toBe(204);
    const open = await fetch(`${berth.url}/v2/${REPO}/blobs/uploads/`, { method: 'POST' });
    expect(open.status).toBe(202);
    expect((await fetch(`${berth.url}/api/v1/projects/no-such-project`)).status).toBe(404);

    const after = await scrape(berth.url);
    const requests = (route: string, method: string, status: string) => delta(before, after, 'berth_http_requests_total', { surface: 'oci', route, method, status });
    expect(requests('patchUpload', 'PATCH', '202')).toBe(2);
    expect(requests('completeUpload', 'PUT', '201')).toBe(2);
    expect(requests('startUpload', 'POST', '202')).toBe(4);
    expect(requests('putManifest', 'PUT', '201')).toBe(1);
    expect(requests('getBlob', 'GET', '200')).toBe(2);
    expect(requests('getBlob', 'GET', '404')).toBe(1);
    expect(requests('headBlob', 'HEAD', '200')).toBe(1);
    expect(requests('cancelUpload', 'DELETE', '204')).toBe(1);
    expect(delta(before, after, 'berth_http_requests_total', { surface: 'api', route: '/api/v1/projects/:project', method: 'GET', status: '404' })).toBe(1);
    expect(delta(before, after, 'berth_http_request_duration_seconds_count', { surface: 'oci', route: 'getBlob', method: 'GET', status_class: '2xx' })).toBe(2);

    // Every request body byte, streamed or sized, and no more; both pulls of the blob went out.
    expect(delta(before, after, 'berth_http_received_bytes_total', { surface: 'oci' })).toBe(blob.length + config.length + manifest.length);
    const sent = delta(before, after, 'berth_http_sent_bytes_total', { surface: 'oci' });
    expect(sent).toBeGreaterThanOrEqual(2 * blob.length + manifest.length);
    expect(sent).toBeLessThan(2 * blob.length + manifest.length + 4096);

    expect(delta(before, after, 'berth_upload_sessions_started_total')).toBe(4);
    expect(delta(before, after, 'berth_upload_sessions_completed_total')).toBe(2);
    expect(delta(before, after, 'berth_upload_sessions_cancelled_total')).toBe(1);
    expect(valueOf(after, 'berth_upload_sessions_in_progress')).toBe(1);
    for (const sample of after.get('berth_storage_errors_total')!.samples) expect(sample.value, sample.labels.operation).toBe(0);
  });

  it('labels hold route patterns only: no repository names, digests or upload ids', async () => {
    const metrics = await scrape(berth.url);
    // Per-project storage is labelled by project name, as Harbor's quota metrics are: one series per
    // project an operator created, never anything taken from a request.
    const perProject = new Set(['berth_project_storage_bytes', 'berth_project_storage_limit_bytes']);
    const values = [...metrics].filter(([name]) => !perProject.has(name)).flatMap(([, f]) => f.samples.flatMap((s) => Object.values(s.labels)));
    expect(metrics.get('berth_project_storage_bytes')!.samples.every((s) => Object.keys(s.labels).join() === 'project')).toBe(true);
    expect(values.length).toBeGreaterThan(50);
    for (const value of values) {
      expect(value).not.toMatch(/sha256|metricsproj|secret-model-name|no-such-project|[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
    const surfaces = new Set(metrics.get('berth_http_requests_total')!.samples.map((s) => s.labels.surface));
    expect([...surfaces].every((s) => ['oci', 'hf', 'api', 'model_registry', 'auth', 'other'].includes(s!))).toBe(true);
  });

  it('exposes the webhook backlog, the process defaults, and no pool on SQLite', async () => {
    const metrics = await scrape(berth.url);
    expect(metrics.get('berth_webhook_backlog')?.type).toBe('gauge');
    expect(metrics.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(metrics.get('nodejs_heap_size_total_bytes')?.type).toBe('gauge');
    expect(metrics.has('berth_db_pool_connections')).toBe(false);
    expect(metrics.get('berth_http_request_duration_seconds')?.type).toBe('histogram');
  });
});

describe('/metrics off', () => {
  it('is not served with BERTH_METRICS=false, and nothing else changes', async () => {
    const berth = await startBerth({ env: { BERTH_METRICS: 'false' } });
    try {
      expect((await fetch(`${berth.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${berth.url}/v2/`)).status).toBe(200);
    } finally {
      await berth.dispose();
    }
  });
});

const postgresUp = await postgresAvailable();
describe.skipIf(!postgresUp)('/metrics on PostgreSQL', () => {
  it('shows the connection pool, and upload sessions opened on another replica', async () => {
    const db = await createTestDatabase();
    const storage = mkdtempSync(join(tmpdir(), 'berth-shared-'));
    const env = { BERTH_DATABASE_URL: db.url, BERTH_STORAGE_PATH: storage };
    const a = await startBerth({ env });
    const b = await startBerth({ env });
    try {
      const post = await fetch(`${a.url}/v2/shared/model/blobs/uploads/`, { method: 'POST' });
      expect(post.status).toBe(202);
      const metrics = await scrape(b.url);
      expect(valueOf(metrics, 'berth_upload_sessions_in_progress')).toBe(1);
      expect(valueOf(metrics, 'berth_upload_sessions_started_total')).toBe(0);
      expect(valueOf(metrics, 'berth_db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(valueOf(metrics, 'berth_db_pool_idle_connections')).toBeLessThanOrEqual(valueOf(metrics, 'berth_db_pool_connections'));
      expect(valueOf(metrics, 'berth_db_pool_waiting_clients')).toBe(0);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
      await db.drop();
      rmSync(storage, { recursive: true, force: true });
    }
  });
});

describe('two apps in one process', () => {
  it('keep separate registries', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'berth-app-')), mkdtempSync(join(tmpdir(), 'berth-app-'))];
    const apps = await Promise.all(dirs.map((data) => createApp(loadConfig({ data }, { BERTH_AUTH: 'false' }), pino({ level: 'silent' }))));
    try {
      const [a, b] = apps as [(typeof apps)[0], (typeof apps)[0]];
      for (let i = 0; i < 3; i++) expect((await a.http.inject({ method: 'GET', url: '/v2/' })).statusCode).toBe(200);
      expect((await b.http.inject({ method: 'GET', url: '/v2/' })).statusCode).toBe(200);
      const count = async (app: typeof a) =>
        valueOf(parsePrometheusText((await app.http.inject({ method: 'GET', url: '/metrics' })).body), 'berth_http_requests_total', { route: 'apiVersion', status: '200' });
      expect([await count(a), await count(b)]).toEqual([3, 1]);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
