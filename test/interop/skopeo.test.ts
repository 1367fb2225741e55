// Interop with a real OCI client: skopeo (containers/image) pushes an OCI image layout and a ModelPack
// artifact into a listening Berth, pulls them back out, inspects and lists tags, and copies between two
// repositories of Berth (a cross-repository mount). skopeo takes paths our own client never does:
// `Connection: close`, streamed PATCH without Content-Range, `sha256%3A`-encoded digests, HEAD before
// push, mount attempts. Every copy must keep the manifest digest and every blob byte for byte.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { digestOf } from '../support/oci-client.js';
import { toolAvailable } from '../support/tools.js';

const HAVE_SKOPEO = toolAvailable('skopeo');
const KiB = 1024;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** An OCI image layout written by hand, so the source side owes nothing to the client under test. */
interface Layout {
  dir: string;
  tag: string;
  manifest: Buffer;
  manifestDigest: string;
  /** Config and layer descriptors, in manifest order. */
  blobs: Descriptor[];
}

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

function writeImageLayout(dir: string): Layout {
  const files = [
    { name: 'usr/share/a.bin', size: 300 * KiB },
    { name: 'usr/share/b.bin', size: 600 * KiB },
    // Over 1 MiB, so client and server both split it across several reads and writes.
    { name: 'opt/big.bin', size: 1536 * KiB + 77 },
  ];
  const tars = files.map((f) => tarOf(f.name, pseudoRandom(f.size, f.name)));
  const layers = tars.map((t) => writeBlob(dir, gzipSync(t, { level: 1 }), 'application/vnd.oci.image.layer.v1.tar+gzip'));
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin'] },
    rootfs: { type: 'layers', diff_ids: tars.map((t) => digestOf(t)) },
    history: files.map((f) => ({ created_by: `add ${f.name}` })),
  };
  const configDesc = writeBlob(dir, Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json');
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: configDesc,
    layers,
    annotations: { 'org.opencontainers.image.title': 'berth interop image' },
  };
  return writeLayout(dir, 'v1', manifest, [configDesc, ...layers]);
}

function writeModelPackLayout(dir: string): Layout {
  const files = [
    { path: 'model.safetensors', size: 1280 * KiB + 13, mediaType: 'application/vnd.cncf.model.weight.v1.raw' },
    { path: 'config.json', text: '{"architectures":["TinyForCausalLM"],"hidden_size":64}\n', mediaType: 'application/vnd.cncf.model.weight.config.v1.raw' },
    { path: 'README.md', text: '# tiny model\n\nFor interop tests.\n', mediaType: 'application/vnd.cncf.model.doc.v1.raw' },
  ];
  const layers = files.map((f) => {
    const bytes = f.text !== undefined ? Buffer.from(f.text) : pseudoRandom(f.size!, f.path);
    return writeBlob(dir, bytes, f.mediaType, { 'org.cncf.model.filepath': f.path });
  });
  const config = {
    descriptor: { name: 'tiny', version: '1.0.0', createdAt: '2025-01-01T00:00:00Z', licenses: ['Apache-2.0'] },
    config: { architecture: 'transformer', format: 'safetensors', paramSize: '16K', precision: 'float16' },
    modelfs: { type: 'layers', diffIds: layers.map((l) => l.digest) },
  };
  const configDesc = writeBlob(dir, Buffer.from(JSON.stringify(config)), 'application/vnd.cncf.model.config.v1+json');
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cncf.model.manifest.v1+json',
    config: configDesc,
    layers,
    annotations: { 'org.cncf.model.name': 'tiny' },
  };
  return writeLayout(dir, 'v1.0', manifest, [configDesc, ...layers]);
}

function writeLayout(dir: string, tag: string, manifest: object, blobs: Descriptor[]): Layout {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const desc = writeBlob(dir, bytes, 'application/vnd.oci.image.manifest.v1+json');
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...desc, annotations: { 'org.opencontainers.image.ref.name': tag } }] };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return { dir, tag, manifest: bytes, manifestDigest: desc.digest, blobs };
}

function writeBlob(dir: string, bytes: Buffer, mediaType: string, annotations?: Record<string, string>): Descriptor {
  const digest = digestOf(bytes);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(blobPath(dir, digest), bytes);
  return { mediaType, digest, size: bytes.length, ...(annotations ? { annotations } : {}) };
}

function blobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** Incompressible but reproducible bytes: a SHA-256 counter stream seeded by `seed`. */
function pseudoRandom(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0, off = 0; off < size; i++, off += 32) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  return out;
}

/** A one-file ustar archive with fixed metadata (mode 0644, uid/gid 0, mtime 0). */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'ascii');
  const octal = (value: number, offset: number, length: number) => field(value.toString(8).padStart(length - 1, '0') + '\0', offset, length);
  field(name, 0, 100);
  octal(0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(content.length, 124, 12);
  octal(0, 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}
