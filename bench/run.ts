// `npm run bench`: Berth and docker-registry 2.8 (the reference) measured side by side in one run, the
// same workloads against each in alternating order, reported as medians and ratios with the issue's
// targets. Sizes and run counts can be lowered through BENCH_* variables for a quick smoke run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { startBerth } from '../test/support/berth.js';
import { REFERENCE_REGISTRY_BIN, startReferenceRegistry } from '../test/support/reference-registry.js';
import { SyntheticBlob, smallBlobs } from './blob-data.js';
import { pull, pullConcurrently, pushChunked, pushMonolithic, pushSmallBlobs } from './blob-scenarios.js';
import { closeEndpoint, endpoint, type Endpoint } from './http-client.js';
import { diskFsyncSeconds, loopbackSeconds, sha256Seconds } from './machine-limits.js';
import { manifestLoad, prepareManifests, type LoadResult } from './manifest-scenarios.js';
import { median, renderMarkdown, type Limit, type Row, type Target } from './report.js';
import { RssSampler } from './rss-sampler.js';

const MiB = 2 ** 20;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RUNS = env('BENCH_RUNS', 3);
const BLOB_BYTES = env('BENCH_BLOB_MIB', 1024) * MiB;
const CHUNK_BYTES = env('BENCH_CHUNK_MIB', 16) * MiB;
const CONCURRENT_BYTES = env('BENCH_CONCURRENT_MIB', 256) * MiB;
const CONCURRENT_PULLS = 8;
const SMALL_COUNT = env('BENCH_SMALL_BLOBS', 2000);
const SMALL_BYTES = 4096;
const SMALL_CONCURRENCY = 16;
const LOAD_SECONDS = env('BENCH_SECONDS', 3);
const RSS_LIMIT = 200e6;

interface Server {
  name: 'berth' | 'reference';
  ep: Endpoint;
  pid: number;
  dispose(): Promise<void>;
}

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const size = (bytes: number) => (bytes >= 1 << 30 ? `${bytes / 2 ** 30} GiB` : bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`);

/** Flushes dirty pages left by the previous step so they are not written back during the next timed one. */
function settle(): void {
  execFileSync('sync');
}

/** Both servers, the order alternating by run so neither always goes first. */
function inOrder(servers: Server[], run: number): Server[] {
  return run % 2 === 0 ? servers : [...servers].reverse();
}

function requireTool(command: string): void {
  if (spawnSync(command, ['--version'], { stdio: 'ignore' }).error) throw new Error(`the benchmark needs ${command}; it is not installed`);
}

async function main(): Promise<void> {
  requireTool('wrk');
  requireTool(REFERENCE_REGISTRY_BIN);
  const started = new Date();
  const loadAtStart = loadavg()[0]!;
  const servers: Server[] = [];
  const cleanup = async () => {
    for (const s of servers.splice(0)) {
      closeEndpoint(s.ep);
      await s.dispose();
    }
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  const berth = await startBerth();
  servers.push({ name: 'berth', ep: endpoint(berth.url), pid: berth.child.pid!, dispose: () => berth.dispose() });
  const reference = await startReferenceRegistry();
  servers.push({ name: 'reference', ep: endpoint(reference.url), pid: reference.pid, dispose: () => reference.dispose() });
  log(`Berth at ${berth.url} (pid ${berth.child.pid}), docker-registry at ${reference.url} (pid ${reference.pid})`);

  const sampler = new RssSampler({ berth: servers[0]!.pid, reference: servers[1]!.pid });
  sampler.start();
  const rows: Row[] = [];
  const limits: Limit[] = [];
  try {
    limits.push(...(await measureLimits()));
    const sha256Rate = median(limits[0]!.values);
    const pushTarget: Target = {
      text: `≥ 3× and ≥ 70% of sha256 (${Math.round(0.7 * sha256Rate)} MiB/s)`,
      check: (b, _r, adv) => ({ met: adv >= 3 && b >= 0.7 * sha256Rate, note: `${Math.round((100 * b) / sha256Rate)}% of sha256` }),
    };
    const ratioTarget = (min: number): Target => ({ text: `≥ ${min}×`, check: (_b, _r, adv) => ({ met: adv >= min }) });

    const bigRows = await blobWorkloads(servers, sampler);
    rows.push({ ...bigRows.mono, target: pushTarget }, { ...bigRows.chunked, target: pushTarget });
    rows.push({ ...bigRows.pull, target: ratioTarget(1.2) }, { ...bigRows.concurrent, target: ratioTarget(1.2) });
    for (const row of await manifestWorkloads(servers, sampler)) rows.push({ ...row, target: row.unit === 'ops/s' ? ratioTarget(2) : undefined });
    rows.push({ ...(await smallBlobWorkload(servers, sampler)), target: ratioTarget(2) });
  } finally {
    const peaks = sampler.stop();
    await cleanup();
    if (rows.length > 0) report(started, loadAtStart, limits, rows, peaks);
  }
}

async function measureLimits(): Promise<Limit[]> {
  const sha: number[] = [];
  const loopback: number[] = [];
  const disk: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    log(`machine limits, run ${run + 1}/${RUNS}`);
    sha.push(BLOB_BYTES / MiB / sha256Seconds(BLOB_BYTES));
    loopback.push(BLOB_BYTES / MiB / (await loopbackSeconds(BLOB_BYTES)));
    settle();
    disk.push(BLOB_BYTES / MiB / (await diskFsyncSeconds(tmpdir(), BLOB_BYTES)));
  }
  return [
    { name: `sha256, one core (node crypto, ${size(BLOB_BYTES)} from a 1 MiB in-memory piece)`, unit: 'MiB/s', values: sha },
    { name: `loopback TCP (node client → node server in another process, ${size(BLOB_BYTES)})`, unit: 'MiB/s', values: loopback },
    { name: `disk: write ${size(BLOB_BYTES)} + fsync (node, ${tmpdir()}, where both servers store)`, unit: 'MiB/s', values: disk },
  ];
}

function emptyRow(scenario: string, unit: string, better: Row['better'] = 'higher'): Row {
  return { scenario, unit, better, berth: [], reference: [] };
}

async function blobWorkloads(servers: Server[], sampler: RssSampler) {
  const mono = emptyRow(`${size(BLOB_BYTES)} monolithic push (POST + streamed PUT)`, 'MiB/s');
  const chunked = emptyRow(`${size(BLOB_BYTES)} chunked push (${size(CHUNK_BYTES)} PATCHes + PUT)`, 'MiB/s');
  const pulled = emptyRow(`${size(BLOB_BYTES)} pull (GET, discarded)`, 'MiB/s');
  const concurrent = emptyRow(`${CONCURRENT_PULLS} concurrent pulls of one ${size(CONCURRENT_BYTES)} blob (aggregate)`, 'MiB/s');

  let lastPushed: SyntheticBlob | undefined;
  for (const [row, phase] of [
    [mono, 'monolithic push'],
    [chunked, 'chunked push'],
  ] as const) {
    sampler.phase(phase);
    for (let run = 0; run < RUNS; run++) {
      log(`${phase}, run ${run + 1}/${RUNS}: generating and hashing ${size(BLOB_BYTES)}`);
      const blob = new SyntheticBlob(BLOB_BYTES);
      for (const s of inOrder(servers, run)) {
        settle();
        const seconds = row === mono ? await pushMonolithic(s.ep, 'bench/big', blob) : await pushChunked(s.ep, 'bench/big', blob, CHUNK_BYTES);
        row[s.name].push(BLOB_BYTES / MiB / seconds);
        log(`  ${s.name}: ${seconds.toFixed(2)} s`);
      }
      lastPushed = blob;
    }
  }

  sampler.phase('pull');
  for (let run = 0; run < RUNS; run++) {
    log(`pull, run ${run + 1}/${RUNS}`);
    for (const s of inOrder(servers, run)) {
      settle();
      pulled[s.name].push(BLOB_BYTES / MiB / (await pull(s.ep, 'bench/big', lastPushed!)));
    }
  }

  sampler.phase('concurrent pulls');
  const shared = new SyntheticBlob(CONCURRENT_BYTES);
  for (const s of servers) await pushMonolithic(s.ep, 'bench/concurrent', shared);
  for (let run = 0; run < RUNS; run++) {
    log(`${CONCURRENT_PULLS} concurrent pulls, run ${run + 1}/${RUNS}`);
    for (const s of inOrder(servers, run)) {
      settle();
      const seconds = await pullConcurrently(s.ep, 'bench/concurrent', shared, CONCURRENT_PULLS);
      concurrent[s.name].push((CONCURRENT_PULLS * CONCURRENT_BYTES) / MiB / seconds);
    }
  }
  return { mono, chunked, pull: pulled, concurrent };
}

async function manifestWorkloads(servers: Server[], sampler: RssSampler): Promise<Row[]> {
  sampler.phase('manifests');
  settle();
  const fixtures = new Map<Server, Awaited<ReturnType<typeof prepareManifests>>>();
  for (const s of servers) {
    const fixture = await prepareManifests(s.ep, 'bench/manifest');
    fixtures.set(s, fixture);
    await manifestLoad(s.ep, fixture, 'get', 16, 1, 'warm');
    await manifestLoad(s.ep, fixture, 'put', 16, 1, 'warm');
  }
  const rows: Row[] = [];
  for (const op of ['get', 'put'] as const) {
    for (const connections of [1, 16]) {
      const label = `manifest ${op.toUpperCase()} c${connections}`;
      const results: Record<Server['name'], LoadResult[]> = { berth: [], reference: [] };
      for (let run = 0; run < RUNS; run++) {
        log(`${label}, run ${run + 1}/${RUNS} (${LOAD_SECONDS} s each)`);
        for (const s of inOrder(servers, run)) {
          results[s.name].push(await manifestLoad(s.ep, fixtures.get(s)!, op, connections, LOAD_SECONDS, `r${run}c${connections}`));
        }
      }
      const pick = (unit: string, better: Row['better'], f: (r: LoadResult) => number): Row => ({
        scenario: label,
        unit,
        better,
        berth: results.berth.map(f),
        reference: results.reference.map(f),
      });
      rows.push(pick('ops/s', 'higher', (r) => r.opsPerSec), pick('p50 ms', 'lower', (r) => r.p50Ms), pick('p99 ms', 'lower', (r) => r.p99Ms));
    }
  }
  return rows;
}

async function smallBlobWorkload(servers: Server[], sampler: RssSampler): Promise<Row> {
  sampler.phase('small blobs');
  const row = emptyRow(`${SMALL_COUNT} blobs of ${size(SMALL_BYTES)}, POST + PUT, c${SMALL_CONCURRENCY}`, 'blobs/s');
  for (let run = 0; run < RUNS; run++) {
    log(`small blobs, run ${run + 1}/${RUNS}`);
    const blobs = smallBlobs(SMALL_COUNT, SMALL_BYTES);
    for (const s of inOrder(servers, run)) {
      settle();
      row[s.name].push(SMALL_COUNT / (await pushSmallBlobs(s.ep, 'bench/small', blobs, SMALL_CONCURRENCY)));
    }
  }
  return row;
}

function report(started: Date, loadAtStart: number, limits: Limit[], rows: Row[], peaks: ReturnType<RssSampler['stop']>): void {
  const b = peaks.get('berth')!;
  const r = peaks.get('reference')!;
  const memory = [...b.byPhase.keys()].map((phase) => ({ phase, berth: b.byPhase.get(phase)!, reference: r.byPhase.get(phase) ?? 0 }));
  memory.push({ phase: 'whole run, sampled VmRSS', berth: b.sampledPeak, reference: r.sampledPeak });
  memory.push({ phase: 'whole run, VmHWM', berth: b.hwm, reference: r.hwm });
  const commit = spawnSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).stdout.trim();
  const referenceVersion = spawnSync(REFERENCE_REGISTRY_BIN, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const markdown = renderMarkdown({
    title: `Berth vs docker-registry 2.8 — ${started.toISOString()}`,
    notes: [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; Berth ${commit}; reference \`${referenceVersion}\`.`,
      `${RUNS} runs per scenario, servers in alternating order; every figure is the median of the runs; \`sync\` runs (untimed) before each timed step.`,
      'Berth runs with its defaults: blob and upload fsync on, SQLite synchronous=FULL. docker-registry\'s filesystem driver does **not** fsync, so its pushes end in the page cache.',
      'Client: node:http with keep-alive sockets (bodies from memory, digests computed before timing); manifest load by wrk (1 thread). Client and servers share the same cores.',
      'Berth runs with access control off (BERTH_AUTH=false, as test/support/berth.ts starts it); the reference has no auth configured.',
      'Blobs are pulled hot (just pushed, in the page cache) from both servers.',
      `The machine is shared: 1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end. Trust ratios (paired, adjacent runs) over absolute numbers.`,
    ],
    limits,
    rows,
    memory,
    memoryTarget: { text: '< 200 MB', check: (berthBytes) => ({ met: berthBytes < RSS_LIMIT }) },
  });
  process.stdout.write(markdown);
  const dir = resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${started.toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, markdown);
  log(`written to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
