// Garbage collection on one replica while another pushes: two Berth processes on one PostgreSQL
// database and one blob storage. B collects in a loop with a 2 s grace window while A's clients push
// images the way real clients do (HEAD each blob, upload the missing ones, PUT the manifest), mount
// blobs across repositories, delete older images, and push again layers idle past the grace window
// (which GC has just taken or is taking at that moment).
// Every manifest PUT must succeed (what A acknowledged or confirmed stayed), and afterwards every
// manifest in the registry must be fully pullable, every blob with the right digest; the bytes of
// deleted images must be gone. The storage is a parameter: the filesystem, and S3 once Berth has it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_SETTINGS } from '../../src/config/schema.js';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { absolute, digestOf, pushBlob } from '../support/oci-client.js';
import { createTestDatabase, postgresAvailable } from '../support/postgres.js';
import { startS3Server } from '../support/s3-server.js';

/** Blob storage both replicas share. */
interface SharedStorage {
  env: Record<string, string>;
  /** Whether the bytes of `digest` are in storage, where the test can look. */
  blobExists?: (digest: string) => boolean;
  stop(): Promise<void>;
}

const STORAGES: Array<{ name: string; start(): Promise<SharedStorage> }> = [
  {
    name: 'filesystem',
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'berth-gc-shared-'));
      return {
        env: { BERTH_STORAGE_PATH: dir, BERTH_STORAGE_FSYNC: 'false' },
        blobExists: (digest) => existsSync(join(dir, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7))),
        stop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 's3',
    async start() {
      const s3 = await startS3Server();
      return { env: s3.env, stop: () => s3.stop() };
    },
  },
];

const GRACE_SECONDS = 2;
const MIN_ROUNDS = 12;
const MIN_COLLECTED = 15;
const MAX_ROUNDS = 400;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const postgresUp = await postgresAvailable();
const s3Configurable = ENV_SETTINGS.some((s) => s.env === 'BERTH_S3_BUCKET');
if (!s3Configurable) console.warn('gc-concurrent: Berth has no S3 storage settings yet; running on the filesystem only');

describe.skipIf(!postgresUp)('GC on one replica while another pushes', () => {
  for (const storage of STORAGES) {
    it.skipIf(storage.name === 's3' && !s3Configurable)(`never deletes what is referenced or was just acknowledged (${storage.name})`, async () => {
      const db = await createTestDatabase();
      const shared = await storage.start();
      const env = { BERTH_DATABASE_URL: db.url, ...shared.env };
      let a: BerthProcess | undefined;
      let b: BerthProcess | undefined;
      try {
        a = await startBerth({ env });
        b = await startBerth({ env });
        await exercise(a, b, shared);
      } finally {
        await a?.dispose();
        await b?.dispose();
        await shared.stop();
        await db.drop();
      }
    }, 600_000);
  }
});

interface Image {
  repo: string;
  tag: string;
  digest: string;
  blobs: string[];
}

async function exercise(a: BerthProcess, b: BerthProcess, storage: SharedStorage): Promise<void> {
  const collected = { runs: 0, links: 0, blobs: 0 };
  let pushing = true;
  const collector = (async () => {
    while (pushing) {
      const report = await gc(b, GRACE_SECONDS);
      collected.runs += 1;
      collected.links += report.linksDeleted;
      collected.blobs += report.blobsDeleted;
    }
  })();

  const base = randomBytes(200_000);
  const pool = Array.from({ length: 3 }, () => randomBytes(50_000));
  const pushed = new Set<string>();
  const live: Image[] = [];
  try {
    const pusher = async (repo: string) => {
      const rounds: Array<{ images: Image[]; unique: Uint8Array }> = [];
      // Layers of deleted images, idle since: once idle past the grace window, GC takes (or is taking) them.
      const idle: Array<{ bytes: Uint8Array; since: number }> = [];
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        if (round >= MIN_ROUNDS && collected.blobs >= MIN_COLLECTED) return;
        const unique = randomBytes(round % 5 === 4 ? 2 << 20 : 100_000);
        const layers: Uint8Array[] = [base, pool[round % pool.length]!, unique];
        if (idle.length > 0 && Date.now() - idle[0]!.since > GRACE_SECONDS * 1000 + 1000) layers.push(idle.shift()!.bytes);
        const image = await pushImage(a, repo, `r${round}`, layers);
        // Mount the new layer into another repository (or upload it there when the mount is refused).
        const config = Buffer.from(JSON.stringify({ mounted: `${repo}-${round}` }));
        await ensureBlob(a, 'gc/mounted', config);
        await mountOrPush(a, 'gc/mounted', repo, unique);
        const mounted = await putImage(a, 'gc/mounted', `${repo.replace('/', '-')}-r${round}`, config, [unique]);
        rounds.push({ images: [image, mounted], unique });
        live.push(image, mounted);
        for (const d of [...image.blobs, ...mounted.blobs]) pushed.add(d);
        // Delete the images of two rounds ago: their own layers become garbage, their pool layer comes back.
        const old = rounds[round - 2];
        if (!old) continue;
        for (const gone of old.images) {
          const res = await fetch(`${a.url}/v2/${gone.repo}/manifests/${gone.digest}`, { method: 'DELETE' });
          expect(res.status, `DELETE ${gone.repo}@${gone.digest}`).toBe(202);
          live.splice(live.indexOf(gone), 1);
        }
        idle.push({ bytes: old.unique, since: Date.now() });
      }
      throw new Error(`GC collected only ${collected.blobs} blobs in ${collected.runs} runs over ${MAX_ROUNDS} rounds`);
    };
    await Promise.all([pusher('gc/app1'), pusher('gc/app2')]);
  } finally {
    pushing = false;
    await collector;
  }

  // With no push in flight, collect everything unreferenced; what is referenced must survive that too.
  await gc(b, 0);
  expect(collected.blobs).toBeGreaterThanOrEqual(MIN_COLLECTED);
  const referenced = await verifyEverythingPullable(b, a);
  expect(referenced.size).toBeGreaterThan(0);
  for (const image of live) for (const d of image.blobs) expect(referenced.has(d)).toBe(true);
  if (storage.blobExists) {
    for (const digest of pushed) expect(storage.blobExists(digest), `${digest} in storage`).toBe(referenced.has(digest));
  }
}

/** Walks the catalog on `reader`, pulls every tagged manifest and every blob it references from `blobsFrom`. */
async function verifyEverythingPullable(reader: BerthProcess, blobsFrom: BerthProcess): Promise<Set<string>> {
  const referenced = new Set<string>();
  const catalog = (await (await fetch(`${reader.url}/v2/_catalog?n=1000`)).json()) as { repositories: string[] };
  for (const repo of catalog.repositories) {
    const tags = ((await (await fetch(`${reader.url}/v2/${repo}/tags/list?n=1000`)).json()) as { tags: string[] | null }).tags ?? [];
    for (const tag of tags) {
      const res = await fetch(`${reader.url}/v2/${repo}/manifests/${tag}`, { headers: { accept: MANIFEST } });
      expect(res.status, `${repo}:${tag}`).toBe(200);
      const manifest = JSON.parse(await res.text()) as { config: { digest: string; size: number }; layers: Array<{ digest: string; size: number }> };
      for (const blob of [manifest.config, ...manifest.layers]) {
        const got = await fetch(`${blobsFrom.url}/v2/${repo}/blobs/${blob.digest}`);
        expect(got.status, `${repo}@${blob.digest}`).toBe(200);
        const bytes = Buffer.from(await got.arrayBuffer());
        expect(bytes.length).toBe(blob.size);
        expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, `${repo}@${blob.digest}`).toBe(blob.digest);
        referenced.add(blob.digest);
      }
    }
  }
  return referenced;
}

async function gc(berth: BerthProcess, graceSeconds: number): Promise<{ linksDeleted: number; blobsDeleted: number }> {
  const res = await fetch(`${berth.url}/api/v1/system/gc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ graceSeconds }) });
  if (res.status !== 200) throw new Error(`GC: ${res.status} ${await res.text()}`);
  return (await res.json()) as { linksDeleted: number; blobsDeleted: number };
}

/** What clients do: HEAD the blob, upload it only when the registry does not have it. */
async function ensureBlob(berth: BerthProcess, repo: string, bytes: Uint8Array): Promise<void> {
  const head = await fetch(`${berth.url}/v2/${repo}/blobs/${digestOf(bytes)}`, { method: 'HEAD' });
  if (head.status === 200) return;
  expect(head.status).toBe(404);
  await pushBlob(berth.url, repo, bytes);
}

async function mountOrPush(berth: BerthProcess, repo: string, from: string, bytes: Uint8Array): Promise<void> {
  const res = await fetch(`${berth.url}/v2/${repo}/blobs/uploads/?mount=${digestOf(bytes)}&from=${from}`, { method: 'POST' });
  if (res.status === 201) return;
  expect(res.status).toBe(202);
  await fetch(absolute(berth.url, res.headers.get('location')!), { method: 'DELETE' });
  await pushBlob(berth.url, repo, bytes);
}

async function pushImage(berth: BerthProcess, repo: string, tag: string, layers: Uint8Array[]): Promise<Image> {
  const config = Buffer.from(JSON.stringify({ repo, tag, salt: randomBytes(4).toString('hex') }));
  await ensureBlob(berth, repo, config);
  for (const layer of layers) await ensureBlob(berth, repo, layer);
  return putImage(berth, repo, tag, config, layers);
}

async function putImage(berth: BerthProcess, repo: string, tag: string, config: Uint8Array, layers: Uint8Array[]): Promise<Image> {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(l), size: l.length })),
  });
  const res = await fetch(`${berth.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': MANIFEST }, body: manifest });
  if (res.status !== 201) throw new Error(`PUT ${repo}:${tag}: ${res.status} ${await res.text()}`);
  return { repo, tag, digest: digestOf(manifest), blobs: [digestOf(config), ...layers.map((l) => digestOf(l))] };
}
