// Interop with a real OCI client: skopeo (containers/image) pushes an OCI image layout and a ModelPack
// artifact into a listening Berth, pulls them back out, inspects and lists tags, and copies between two
// repositories of Berth (a cross-repository mount). skopeo takes paths our own client never does:
// `Connection: close`, streamed PATCH without Content-Range, `sha256%3A`-encoded digests, HEAD before
// push, mount attempts. Every copy must keep the manifest digest and every blob byte for byte.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { digestOf } from '../support/oci-client.js';
import { blobPath, writeImageLayout, writeModelPackLayout, type Descriptor, type Layout } from '../support/oci-layouts.js';
import { toolAvailable } from '../support/tools.js';

const HAVE_SKOPEO = toolAvailable('skopeo');

describe.skipIf(!HAVE_SKOPEO)('skopeo against Berth', () => {
  let berth: BerthProcess;
  let work: string;
  let image: Layout;
  let artifact: Layout;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-skopeo-'));
    // Request logs at info show which endpoints skopeo really used (the mount check reads them).
    berth = await startBerth({ env: { BERTH_LOG_LEVEL: 'info' } });
    image = writeImageLayout(join(work, 'image-src'));
    artifact = writeModelPackLayout(join(work, 'model-src'));
  });

  afterAll(async () => {
    await berth?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const skopeo = (...args: string[]) => run(['--insecure-policy', ...args], () => berth.output());
  const push = (layout: Layout, repo: string) =>
    skopeo('copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout.dir}:${layout.tag}`, `docker://${berth.host}/${repo}:${layout.tag}`);
  const pull = (repo: string, tag: string, dir: string) =>
    skopeo('copy', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', '--src-tls-verify=false', `docker://${berth.host}/${repo}:${tag}`, `oci:${dir}:${tag}`);

  it('pushes a multi-layer OCI image and pulls it back byte for byte', async () => {
    await push(image, 'interop/image');
    await expectStored(berth.url, 'interop/image', image);
    const out = join(work, 'image-out');
    await pull('interop/image', image.tag, out);
    expectSameLayout(image, out);
  });

  it('pushes a ModelPack artifact with custom media types and pulls it back byte for byte', async () => {
    await push(artifact, 'interop/model');
    await expectStored(berth.url, 'interop/model', artifact);
    const out = join(work, 'model-out');
    await pull('interop/model', artifact.tag, out);
    expectSameLayout(artifact, out);
  });

  it('inspects raw manifests and lists tags', async () => {
    await push(image, 'interop/tags');
    await skopeo('copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${image.dir}:${image.tag}`, `docker://${berth.host}/interop/tags:second`);
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/interop/tags:${image.tag}`);
    expect(Buffer.from(raw, 'utf8').equals(image.manifest)).toBe(true);
    await push(artifact, 'interop/inspect-model');
    const rawModel = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/interop/inspect-model:${artifact.tag}`);
    expect(digestOf(rawModel)).toBe(artifact.manifestDigest);
    const listed = JSON.parse(await skopeo('list-tags', '--tls-verify=false', `docker://${berth.host}/interop/tags`)) as { Tags: string[] };
    expect([...listed.Tags].sort()).toEqual(['second', image.tag].sort());
  });

  it('copies between repositories of Berth by mounting blobs, keeping the digest', async () => {
    await push(artifact, 'interop/copy-a');
    await skopeo(
      'copy',
      '--preserve-digests',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${berth.host}/interop/copy-a:${artifact.tag}`,
      `docker://${berth.host}/interop/copy-b:${artifact.tag}`,
    );
    await expectStored(berth.url, 'interop/copy-b', artifact);
    const mounts = requestsTo(berth.output(), /^\/v2\/interop\/copy-b\/blobs\/uploads\/\?.*mount=/);
    expect(mounts.length, 'skopeo should have tried cross-repository mounts').toBeGreaterThan(0);
    expect(mounts.filter((m) => m.status === 201).length, 'Berth should have mounted the blobs').toBeGreaterThan(0);
  });
});

/** Runs skopeo, failing with its stderr and the server's output. */
function run(args: string[], serverOutput: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`skopeo ${args.join(' ')} failed: ${err.message}\n${stderr}\nberth output (tail):\n${serverOutput().slice(-4000)}`));
      else resolve(stdout);
    });
  });
}

/** Checks that Berth holds the layout's manifest under its tag with the same digest, and every blob. */
async function expectStored(base: string, repo: string, layout: Layout): Promise<void> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${layout.tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('docker-content-digest')).toBe(layout.manifestDigest);
  expect(Buffer.from(await res.arrayBuffer()).equals(layout.manifest)).toBe(true);
  for (const blob of layout.blobs) {
    const got = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`);
    expect(got.status, blob.digest).toBe(200);
    const bytes = Buffer.from(await got.arrayBuffer());
    expect(bytes.length).toBe(blob.size);
    expect(digestOf(bytes)).toBe(blob.digest);
  }
}

/** Checks that the layout skopeo wrote at `dir` has the same manifest digest and identical blob files. */
function expectSameLayout(source: Layout, dir: string): void {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === source.tag);
  expect(entry?.digest).toBe(source.manifestDigest);
  expect(entry?.size).toBe(source.manifest.length);
  expect(readFileSync(blobPath(dir, source.manifestDigest)).equals(source.manifest)).toBe(true);
  for (const blob of source.blobs) {
    const copied = readFileSync(blobPath(dir, blob.digest));
    expect(digestOf(copied)).toBe(blob.digest);
    expect(copied.equals(readFileSync(blobPath(source.dir, blob.digest)))).toBe(true);
  }
}

/** Requests in Berth's pino request log whose URL matches, with their response status. */
function requestsTo(output: string, url: RegExp): Array<{ url: string; status: number | undefined }> {
  const urls = new Map<string, string>();
  const statuses = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { reqId?: string; req?: { url?: string }; res?: { statusCode?: number } };
    if (entry.reqId === undefined) continue;
    if (entry.req?.url !== undefined) urls.set(entry.reqId, entry.req.url);
    if (entry.res?.statusCode !== undefined) statuses.set(entry.reqId, entry.res.statusCode);
  }
  return [...urls].filter(([, u]) => url.test(u)).map(([id, u]) => ({ url: u, status: statuses.get(id) }));
}
