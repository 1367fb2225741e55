// `npx tsx bench/gc.ts`: what garbage collection costs, on SQLite and on PostgreSQL (filesystem blobs),
// through the core services: a run that finds nothing to collect among N referenced blobs, a run that
// collects N unreferenced blobs, and what the link refresh adds to a blob HEAD (confirmBlob, which
// writes when the link's last use is older than a second, against statBlob, which only reads).
// Medians of BENCH_RUNS runs (default 3); N from BENCH_GC_BLOBS (default 2000).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFilesystemBlobStore } from '../src/adapters/blobs/filesystem.js';
import { openStores, type DatabaseConfig } from '../src/adapters/metadata/open.js';
import { GarbageCollector } from '../src/core/oci/garbage-collector.js';
import { MediaTypes } from '../src/core/oci/media-types.js';
import { RegistryService } from '../src/core/oci/registry.js';
import { UploadService } from '../src/core/oci/uploads.js';
import { systemClock, type Clock } from '../src/core/ports/clock.js';
import { createTestDatabase, postgresAvailable } from '../test/support/postgres.js';
import { median } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const N = Number(process.env.BENCH_GC_BLOBS ?? 2000);
const LAYERS_PER_MANIFEST = 100;
const later: Clock = { now: () => new Date(Date.now() + 3 * 3600_000) };
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Sample {
  idleRunMs: number;
  collectRunMs: number;
  statUs: number;
  confirmUs: number;
}

async function once(database: (dir: string) => Promise<{ config: DatabaseConfig; drop(): Promise<void> }>): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-gc-'));
  const db = await database(dir);
  const blobs = await createFilesystemBlobStore({ root: join(dir, 'storage'), fsync: false });
  const stores = await openStores(db.config);
  try {
    const uploads = new UploadService(blobs, stores.registry, systemClock);
    const registry = new RegistryService(blobs, stores.registry, systemClock, { maxManifestBytes: 4 << 20, maxPageSize: 1000 });
    const digests: string[] = [];
    for (let i = 0; i < N; i += 1) {
      const bytes = randomBytes(1024);
      digests.push((await uploads.putWhole('bench/gc', sha(bytes), { source: (async function* () { yield bytes; })(), present: true, contentLength: bytes.length })).digest);
    }
    const manifests: string[] = [];
    for (let i = 0; i < N; i += LAYERS_PER_MANIFEST) {
      const layers = digests.slice(i, i + LAYERS_PER_MANIFEST).map((digest) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: 1024 }));
      const manifest = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { ...layers[0]!, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers };
      manifests.push((await registry.putManifest('bench/gc', `t${i}`, Buffer.from(JSON.stringify(manifest)), MediaTypes.ociManifest)).digest);
    }
    const gc = new GarbageCollector(blobs, stores.gc, later, { graceSeconds: 3600, holder: 'bench' });

    let t = performance.now();
    for (const d of digests) await registry.statBlob('bench/gc', d);
    const statUs = ((performance.now() - t) * 1000) / N;
    const head = new RegistryService(blobs, stores.registry, { now: () => new Date(Date.now() + 10_000) }, registry.limits);
    t = performance.now();
    for (const d of digests) await head.confirmBlob('bench/gc', d);
    const confirmUs = ((performance.now() - t) * 1000) / N;

    t = performance.now();
    const idle = await gc.collect();
    const idleRunMs = performance.now() - t;
    if (idle.blobsDeleted !== 0) throw new Error('an idle run collected something');
    for (const m of manifests) await registry.deleteManifest('bench/gc', m);
    t = performance.now();
    const run = await gc.collect({ graceSeconds: 0 });
    const collectRunMs = performance.now() - t;
    if (run.blobsDeleted !== N) throw new Error(`collected ${run.blobsDeleted} of ${N}`);
    return { idleRunMs, collectRunMs, statUs, confirmUs };
  } finally {
    await stores.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const targets: Array<[string, (dir: string) => Promise<{ config: DatabaseConfig; drop(): Promise<void> }>]> = [
  ['SQLite', async (dir) => ({ config: { driver: 'sqlite', path: join(dir, 'db'), synchronous: 'full' }, drop: async () => {} })],
];
if (await postgresAvailable()) {
  targets.push(['PostgreSQL', async () => {
    const db = await createTestDatabase();
    return { config: { driver: 'postgres', url: db.url, poolSize: 10 }, drop: db.drop };
  }]);
}

const lines = [`GC over ${N} blobs of 1 KiB (${N / LAYERS_PER_MANIFEST} manifests), medians of ${RUNS} runs`, '', '| database | idle run (nothing to collect) | collecting all | per collected blob | blob HEAD: statBlob | blob HEAD: confirmBlob (refresh due) |', '| --- | --- | --- | --- | --- | --- |'];
for (const [name, database] of targets) {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i += 1) samples.push(await once(database));
  const m = (f: (s: Sample) => number) => median(samples.map(f));
  lines.push(`| ${name} | ${m((s) => s.idleRunMs).toFixed(0)} ms | ${m((s) => s.collectRunMs).toFixed(0)} ms | ${((m((s) => s.collectRunMs) * 1000) / N).toFixed(0)} µs | ${m((s) => s.statUs).toFixed(0)} µs | ${m((s) => s.confirmUs).toFixed(0)} µs |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
