// `npm run bench:replicas`: one Berth replica against two, on one PostgreSQL database, with blobs on the
// filesystem (both processes sharing one storage directory) and on S3 (s3rver, in its own process),
// side by side in one run. With two replicas the client alternates every request between them (a
// round-robin without session affinity, so an upload's requests land on both); with one it sends all
// to the first. Concurrent monolithic and chunked blob pushes, concurrent pulls, and manifest GETs by
// wrk (two wrk processes, one per replica, at half the connections each, summed); the server CPU
// (Berth processes and s3rver) per unit of work beside each rate. Medians of BENCH_RUNS runs.
import { execFileSync, fork, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth, type BerthProcess } from '../test/support/berth.js';
import { createTestDatabase, postgresAvailable } from '../test/support/postgres.js';
import { startS3Server } from '../test/support/s3-server.js';
import { SyntheticBlob } from './blob-data.js';
import { pull, pushChunked, pushMonolithic, since, type Target } from './blob-scenarios.js';
import { closeEndpoint, endpoint, type Endpoint } from './http-client.js';
import { manifestLoad, prepareManifests, type ManifestFixture } from './manifest-scenarios.js';
import { type Row } from './report.js';
import { benchLog, emptyRow, renderSideBySide, sizeText, writeResult, type Table } from './side-by-side.js';
import { processCpuSeconds } from './timed-command.js';

const MiB = 2 ** 20;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RUNS = env('BENCH_RUNS', 3);
const PUSHES = env('BENCH_REPLICA_PUSHES', 16);
const BLOB_BYTES = env('BENCH_REPLICA_BLOB_MIB', 16) * MiB;
const CHUNK_BYTES = env('BENCH_REPLICA_CHUNK_MIB', 8) * MiB;
const LOAD_SECONDS = env('BENCH_SECONDS', 3);
const CONNECTIONS = 16;
const S3RVER_CHILD = '--s3rver-child';

const log = benchLog('bench:replicas');

/** Two replicas on one database and one blob storage, and the processes whose CPU counts as the server's. */
interface Deployment {
  driver: string;
  replicas: Endpoint[];
  pids: number[];
  dispose(): Promise<void>;
}

/** One replica, or both with requests alternating between them. */
interface Setup {
  name: 'one' | 'two';
  endpoints: Endpoint[];
  target: Target;
}

/** What one setup did in one step: wall seconds and the server CPU seconds it took. */
interface Cost {
  seconds: number;
  cpu: number;
}

async function main(): Promise<void> {
  if (!(await postgresAvailable())) throw new Error('the benchmark needs PostgreSQL on 127.0.0.1:5432 (BERTH_TEST_POSTGRES_URL)');
  if (spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error) throw new Error('the benchmark needs wrk; it is not installed');
  const started = new Date();
  const loadAtStart = loadavg()[0]!;
  const tables: Table[] = [];
  for (const driver of ['filesystem', 's3'] as const) {
    const deployment = await deploy(driver);
    try {
      tables.push(await measure(deployment));
    } finally {
      await deployment.dispose();
    }
  }
  const commit = spawnSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).stdout.trim();
  const markdown = renderSideBySide({
    title: `One Berth replica vs two — ${started.toISOString()}`,
    subject: 'two replicas',
    peer: 'one replica',
    notes: [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; Berth ${commit}. The client, both replicas, PostgreSQL and s3rver share these cores.`,
      `${RUNS} runs per scenario, one and two replicas in alternating order, on the same two processes (with one replica the second idles); medians; \`sync\` (untimed) before each step.`,
      'Two replicas: the client alternates every request between them, so the POST, PATCHes and PUT of one upload land on both. Access control off; blob and chunk fsync on (filesystem).',
      `Pushes: ${PUSHES} blobs of ${sizeText(BLOB_BYTES)} at once (monolithic: POST + one PUT; chunked: ${sizeText(CHUNK_BYTES)} PATCHes + PUT). Pulls: the ${PUSHES} blobs just pushed, at once. Manifest GET: wrk, ${CONNECTIONS} connections for ${LOAD_SECONDS} s (two replicas: two wrk processes of ${CONNECTIONS / 2}, summed).`,
      'CPU rows: user + system seconds of the Berth processes (and s3rver) during the step; PostgreSQL is not counted. "×" above 1 means two replicas did better (higher rate, or less CPU).',
      `The machine is shared: 1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end.`,
    ],
    limits: [],
    tables,
  });
  process.stdout.write(markdown);
  log(`written to ${writeResult('replicas', started, markdown)}`);
}

/** PostgreSQL, shared blob storage and two Berth processes on them. */
async function deploy(driver: 'filesystem' | 's3'): Promise<Deployment> {
  const db = await createTestDatabase();
  const storage = driver === 'filesystem' ? mkdtempSync(join(tmpdir(), 'berth-bench-replicas-')) : undefined;
  const s3 = driver === 's3' ? await startS3Child() : undefined;
  const env = { BERTH_DATABASE_URL: db.url, ...(storage ? { BERTH_STORAGE_PATH: storage } : s3!.env) };
  const berths: BerthProcess[] = [];
  try {
    for (let i = 0; i < 2; i++) berths.push(await startBerth({ env }));
  } catch (err) {
    for (const b of berths) await b.dispose();
    throw err;
  }
  log(`${driver}: replicas at ${berths.map((b) => b.url).join(', ')}`);
  const replicas = berths.map((b) => endpoint(b.url, 64));
  return {
    driver: driver === 's3' ? 'S3 (s3rver 3.7, its own Node process)' : 'filesystem (one shared directory)',
    replicas,
    pids: [...berths.map((b) => b.child.pid!), ...(s3?.child.pid ? [s3.child.pid] : [])],
    async dispose() {
      replicas.forEach(closeEndpoint);
      for (const b of berths) await b.dispose();
      if (s3) {
        s3.child.kill('SIGTERM');
        await once(s3.child, 'exit');
      }
      if (storage) rmSync(storage, { recursive: true, force: true });
      await db.drop();
    },
  };
}

/** Starts s3rver (or takes the external endpoint) in a child process of this script, so its CPU is its own. */
async function startS3Child(): Promise<{ child: ChildProcess; env: Record<string, string> }> {
  const child = fork(import.meta.filename, [S3RVER_CHILD], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [{ env: Record<string, string> }];
  return { child, env: message.env };
}

async function measure(d: Deployment): Promise<Table> {
  let turn = 0;
  const setups: Setup[] = [
    { name: 'one', endpoints: [d.replicas[0]!], target: d.replicas[0]! },
    { name: 'two', endpoints: d.replicas, target: () => d.replicas[turn++ % d.replicas.length]! },
  ];
  const rowOf = (scenario: string, unit: string, better: Row['better'] = 'higher') => emptyRow(scenario, unit, better);
  const pushedBytes = PUSHES * BLOB_BYTES;
  const rows = {
    mono: rowOf(`${PUSHES} × ${sizeText(BLOB_BYTES)} monolithic pushes at once`, 'MiB/s'),
    monoCpu: rowOf('  server CPU per GiB pushed (monolithic)', 'CPU s', 'lower'),
    chunked: rowOf(`${PUSHES} × ${sizeText(BLOB_BYTES)} chunked pushes at once`, 'MiB/s'),
    chunkedCpu: rowOf('  server CPU per GiB pushed (chunked)', 'CPU s', 'lower'),
    pull: rowOf(`${PUSHES} × ${sizeText(BLOB_BYTES)} pulls at once`, 'MiB/s'),
    pullCpu: rowOf('  server CPU per GiB pulled', 'CPU s', 'lower'),
    get: rowOf(`manifest GET, c${CONNECTIONS}`, 'ops/s'),
    getCpu: rowOf('  server CPU per 1000 manifest GETs', 'CPU ms', 'lower'),
  };
  const record = (rate: Row, cpu: Row, setup: Setup, value: number, cost: Cost, per: number) => {
    (setup.name === 'two' ? rate.berth : rate.reference).push(value);
    (setup.name === 'two' ? cpu.berth : cpu.reference).push(cost.cpu / per);
  };
  const timed = async (work: () => Promise<unknown>): Promise<Cost> => {
    execFileSync('sync');
    const cpu0 = serverCpu(d.pids);
    const start = performance.now();
    await work();
    return { seconds: since(start), cpu: serverCpu(d.pids) - cpu0 };
  };
  const inOrder = (run: number) => (run % 2 === 0 ? setups : [...setups].reverse());

  log(`${d.driver}: warming up`);
  for (const s of setups) await pushMonolithic(s.target, 'bench/warm', new SyntheticBlob(MiB));
  const lastPushed = new Map<Setup, SyntheticBlob[]>();
  for (const kind of ['monolithic', 'chunked'] as const) {
    for (let run = 0; run < RUNS; run++) {
      for (const s of inOrder(run)) {
        const blobs = Array.from({ length: PUSHES }, () => new SyntheticBlob(BLOB_BYTES));
        const cost = await timed(() =>
          Promise.all(blobs.map((b) => (kind === 'monolithic' ? pushMonolithic(s.target, 'bench/replicas', b) : pushChunked(s.target, 'bench/replicas', b, CHUNK_BYTES)))),
        );
        const [rate, cpu] = kind === 'monolithic' ? [rows.mono, rows.monoCpu] : [rows.chunked, rows.chunkedCpu];
        record(rate, cpu, s, pushedBytes / MiB / cost.seconds, cost, pushedBytes / 2 ** 30);
        lastPushed.set(s, blobs);
        log(`${d.driver}: ${kind} push, run ${run + 1}/${RUNS}, ${s.name}: ${cost.seconds.toFixed(2)} s`);
      }
    }
  }
  for (let run = 0; run < RUNS; run++) {
    for (const s of inOrder(run)) {
      const cost = await timed(() => Promise.all(lastPushed.get(s)!.map((b) => pull(s.target, 'bench/replicas', b))));
      record(rows.pull, rows.pullCpu, s, pushedBytes / MiB / cost.seconds, cost, pushedBytes / 2 ** 30);
      log(`${d.driver}: pull, run ${run + 1}/${RUNS}, ${s.name}: ${cost.seconds.toFixed(2)} s`);
    }
  }
  const fixture = await prepareManifests(d.replicas[0]!, 'bench/manifest');
  for (const s of setups) await manifestGets(s, fixture, 1);
  for (let run = 0; run < RUNS; run++) {
    for (const s of inOrder(run)) {
      let ops = 0;
      let requests = 0;
      const cost = await timed(async () => ({ ops, requests } = await manifestGets(s, fixture, LOAD_SECONDS)));
      record(rows.get, rows.getCpu, s, ops, cost, requests / 1e6);
      log(`${d.driver}: manifest GET, run ${run + 1}/${RUNS}, ${s.name}: ${ops.toFixed(0)} ops/s`);
    }
  }
  return { title: d.driver, rows: Object.values(rows) };
}

/** wrk on each endpoint of the setup at once, the connections split between them; ops/s summed. */
async function manifestGets(s: Setup, fixture: ManifestFixture, seconds: number): Promise<{ ops: number; requests: number }> {
  const results = await Promise.all(s.endpoints.map((ep) => manifestLoad(ep, fixture, 'get', CONNECTIONS / s.endpoints.length, seconds, 'get')));
  return { ops: results.reduce((sum, r) => sum + r.opsPerSec, 0), requests: results.reduce((sum, r) => sum + r.requests, 0) };
}

/** CPU seconds the server processes have used so far. */
function serverCpu(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
}

if (process.argv.includes(S3RVER_CHILD)) {
  const s3 = await startS3Server();
  process.send!({ env: s3.env });
  process.once('SIGTERM', () => void s3.stop().finally(() => process.exit(0)));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
