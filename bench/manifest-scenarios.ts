// Manifest GET and PUT load, driven by wrk (C, one thread) so the load generator costs less CPU than
// the server it measures: ops/s and p50/p99 latency at a given number of keep-alive connections.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expectStatus, withQuery, locationOf, type Endpoint } from './http-client.js';

const run = promisify(execFile);
const WRK_DIR = resolve(import.meta.dirname, 'wrk');
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** What one wrk run measured. */
export interface LoadResult {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

/** The repository a manifest benchmark uses, with its tagged manifest and a PUT template. */
export interface ManifestFixture {
  repo: string;
  tag: string;
  /** A manifest over the same blobs with `@SEQ@` where a per-request annotation goes. */
  template: string;
}

/** Pushes a config and a layer blob and tags a small OCI image manifest over them. */
export async function prepareManifests(ep: Endpoint, repo: string): Promise<ManifestFixture> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = randomBytes(1024);
  const descriptors: Array<{ mediaType: string; digest: string; size: number }> = [];
  for (const [bytes, mediaType] of [
    [config, 'application/vnd.oci.image.config.v1+json'],
    [layer, 'application/vnd.oci.image.layer.v1.tar'],
  ] as const) {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const post = await expectStatus(ep, 202, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } });
    await expectStatus(ep, 201, 'PUT', withQuery(locationOf(ep, post), 'digest', digest), {
      headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength },
      body: bytes,
    });
    descriptors.push({ mediaType, digest, size: bytes.byteLength });
  }
  const manifest = (annotations: Record<string, string>) =>
    JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST_TYPE, config: descriptors[0], layers: [descriptors[1]], annotations });
  const tagged = Buffer.from(manifest({ 'org.opencontainers.image.title': 'berth-bench' }));
  await expectStatus(ep, 201, 'PUT', `/v2/${repo}/manifests/latest`, { headers: { 'content-type': MANIFEST_TYPE, 'content-length': tagged.byteLength }, body: tagged });
  return { repo, tag: 'latest', template: manifest({ 'org.opencontainers.image.title': 'berth-bench', 'bench.seq': '@SEQ@' }) };
}

/** Runs wrk against the tagged manifest (GET) or new tags (PUT) for `seconds`; throws on any failed request. */
export async function manifestLoad(
  ep: Endpoint,
  fixture: ManifestFixture,
  op: 'get' | 'put',
  connections: number,
  seconds: number,
  tagPrefix: string,
): Promise<LoadResult> {
  const base = `${ep.url}/v2/${fixture.repo}/manifests/`;
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', resolve(WRK_DIR, `manifest-${op}.lua`)];
  args.push(op === 'get' ? base + fixture.tag : base);
  if (op === 'put') args.push('--', tagPrefix);
  const { stdout } = await run('wrk', args, { env: { ...process.env, BENCH_MANIFEST_TEMPLATE: fixture.template } });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const r = JSON.parse(line.slice('BENCH_RESULT '.length)) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    p99_us: number;
    status_errors: number;
    socket_errors: number;
  };
  if (r.status_errors > 0 || r.socket_errors > 0) throw new Error(`manifest ${op}: ${r.status_errors} HTTP errors, ${r.socket_errors} socket errors`);
  return { opsPerSec: r.requests / (r.duration_us / 1e6), p50Ms: r.p50_us / 1000, p99Ms: r.p99_us / 1000, requests: r.requests };
}
