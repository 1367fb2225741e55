// What saving the digest state per acknowledged chunk costs (src/core/oci/resumable-digest.ts):
//   1. sha256 throughput over 64 MiB in 1 MiB updates: hash-wasm (resumable) vs node:crypto;
//   2. the fixed cost per chunk of resuming a saved state and saving the new one;
//   3. a chunked upload through UploadService (filesystem without fsync + SQLite synchronous=normal,
//      so hashing is not hidden behind disk flushes), 1 and 16 MiB chunks and the closing PUT, with
//      the digest state saved per chunk (as on S3) and without (hashed once at commit, as app.ts does
//      on the filesystem): time per chunk and overall MiB/s.
// Each figure is the median of BENCH_RUNS runs (default 7). Run: npx tsx bench/upload-hash-state.ts
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFilesystemBlobStore } from '../src/adapters/blobs/filesystem.js';
import { openRegistryStore } from '../src/adapters/metadata/open.js';
import { resumableDigest } from '../src/core/oci/resumable-digest.js';
import { UploadService, type UploadBody } from '../src/core/oci/uploads.js';
import { systemClock } from '../src/core/ports/clock.js';
import { median } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const MiB = 1 << 20;
const data = randomBytes(64 * MiB);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function hashRates(): Promise<{ wasm: number; node: number }> {
  const wasm: number[] = [];
  const node: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let t = process.hrtime.bigint();
    const resumable = (await resumableDigest('sha256'))!;
    for (let i = 0; i < 64; i++) resumable.update(data.subarray(i * MiB, (i + 1) * MiB));
    const a = resumable.digest();
    wasm.push(64 / seconds(t));
    t = process.hrtime.bigint();
    const hash = createHash('sha256');
    for (let i = 0; i < 64; i++) hash.update(data.subarray(i * MiB, (i + 1) * MiB));
    const b = `sha256:${hash.digest('hex')}`;
    node.push(64 / seconds(t));
    if (a !== b) throw new Error('digests differ');
  }
  return { wasm: median(wasm), node: median(node) };
}

async function resumeSaveMicros(): Promise<number> {
  const first = (await resumableDigest('sha256'))!;
  first.update(data.subarray(0, 12345));
  const state = first.save()!;
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const n = 2000;
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) (await resumableDigest('sha256', state))!.save();
    runs.push((seconds(t) / n) * 1e6);
  }
  return median(runs);
}

async function chunkedUpload(chunkBytes: number, total: number, saveDigestState: boolean): Promise<{ perChunk: number; rate: number }> {
  const perChunk: number[] = [];
  const rate: number[] = [];
  const expected = `sha256:${createHash('sha256').update(Buffer.concat(Array.from({ length: total / data.length || 1 }, () => data)).subarray(0, total)).digest('hex')}`;
  for (let run = 0; run < RUNS; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-hash-'));
    const blobs = await createFilesystemBlobStore({ root: join(dir, 'storage'), fsync: false });
    const store = await openRegistryStore({ driver: 'sqlite', path: join(dir, 'db'), synchronous: 'normal' });
    const uploads = new UploadService(blobs, store, systemClock, { saveDigestState });
    const upload = await uploads.start('bench/hash');
    const t = process.hrtime.bigint();
    for (let offset = 0; offset < total; offset += chunkBytes) {
      const chunk = data.subarray(offset % data.length, (offset % data.length) + chunkBytes);
      await uploads.append('bench/hash', upload.id, body([chunk]));
    }
    perChunk.push((seconds(t) * 1000) / (total / chunkBytes));
    await uploads.complete('bench/hash', upload.id, expected, body([]));
    rate.push(total / MiB / seconds(t));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { perChunk: median(perChunk), rate: median(rate) };
}

function body(chunks: Buffer[]): UploadBody {
  const present = chunks.length > 0;
  return {
    source: (async function* () {
      yield* chunks;
    })(),
    present,
    contentLength: present ? chunks[0]!.length : undefined,
  };
}

const rates = await hashRates();
const fixed = await resumeSaveMicros();
const perMiB = 1000 / rates.wasm - 1000 / rates.node;
console.log(`| figure (median of ${RUNS}) | value |`);
console.log('| --- | ---: |');
console.log(`| sha256, hash-wasm (resumable) | ${rates.wasm.toFixed(0)} MiB/s |`);
console.log(`| sha256, node:crypto | ${rates.node.toFixed(0)} MiB/s |`);
console.log(`| extra hashing time per MiB with hash-wasm | ${perMiB.toFixed(2)} ms |`);
console.log(`| resume a saved state + save the new one, per chunk | ${fixed.toFixed(1)} µs |`);
for (const [chunk, total] of [[MiB, 64 * MiB], [16 * MiB, 256 * MiB]] as const) {
  const saved = await chunkedUpload(chunk, total, true);
  const once = await chunkedUpload(chunk, total, false);
  const label = `chunked upload of ${total / MiB} MiB in ${chunk / MiB} MiB chunks + PUT`;
  console.log(`| ${label}, state saved per chunk: per chunk / overall | ${saved.perChunk.toFixed(2)} ms / ${saved.rate.toFixed(0)} MiB/s |`);
  console.log(`| ${label}, hashed once at commit: per chunk / overall | ${once.perChunk.toFixed(2)} ms / ${once.rate.toFixed(0)} MiB/s |`);
}
