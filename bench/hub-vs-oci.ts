// `npm run bench:hub`: downloading one model from one Berth server through the Hugging Face Hub API
// (model info, then resolve by tag, following the 307 to the commit-pinned URL) and through the OCI
// API (manifest by tag, then blob GETs), with the same node:http keep-alive client discarding bytes
// and the same parallelism, paths in alternating order; medians and paired ratios beside the target.
// https://huggingface.co/docs/hub/api  https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-blobs
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { startBerth, type BerthProcess } from '../test/support/berth.js';
import { SyntheticBlob } from './blob-data.js';
import { pushMonolithic, since } from './blob-scenarios.js';
import { closeEndpoint, endpoint, expectStatus, locationOf, send, withQuery, type Endpoint } from './http-client.js';
import { loopbackSeconds } from './machine-limits.js';
import { modelPackArtifact } from './modelpack-artifact.js';
import { fmt, type Limit, type Row, type Target } from './report.js';
import { RssSampler } from './rss-sampler.js';
import { benchLog, emptyRow, renderSideBySide, sizeText, writeResult, type Table } from './side-by-side.js';
import { processCpuSeconds } from './timed-command.js';

const MiB = 2 ** 20;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RUNS = env('BENCH_RUNS', 9);
const FILES = env('BENCH_HUB_FILES', 4);
const FILE_BYTES = env('BENCH_HUB_MIB', 512) * MiB;
const LIMIT_BYTES = 1 << 30;
const REPO = 'bench/hub-model';
const TAG = 'v1';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

type Path = 'hub' | 'oci';
type Mode = 'parallel' | 'sequential';

/** A file of the pushed model. */
interface ModelFile {
  path: string;
  digest: string;
  size: number;
}

const log = benchLog('bench:hub');

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = loadavg()[0]!;
  let berth: BerthProcess | undefined;
  let ep: Endpoint | undefined;
  const cleanup = async () => {
    if (ep) closeEndpoint(ep);
    await berth?.dispose();
    berth = undefined;
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  const limits: Limit[] = [];
  const tables: Table[] = [];
  try {
    berth = await startBerth();
    ep = endpoint(berth.url, 16);
    log(`Berth at ${berth.url} (pid ${berth.child.pid})`);
    limits.push(await measureLoopback());
    const files = await pushModel(ep);
    const commit = await expectCommit(ep);
    execFileSync('sync');
    for (const path of ['hub', 'oci'] as const) await download(ep, path, 'parallel', files, commit);
    tables.push(...(await measure(ep, berth.child.pid!, files, commit)));
  } finally {
    await cleanup();
  }
  report(started, loadAtStart, limits, tables);
}

async function measureLoopback(): Promise<Limit> {
  const values: number[] = [];
  for (let run = 0; run < RUNS; run++) values.push(LIMIT_BYTES / MiB / (await loopbackSeconds(LIMIT_BYTES)));
  return { name: `loopback TCP (node client → node server in another process, ${sizeText(LIMIT_BYTES)})`, unit: 'MiB/s', values };
}

/** Pushes FILES blobs of FILE_BYTES (from memory) and a ModelPack manifest under TAG; returns the files. */
async function pushModel(ep: Endpoint): Promise<ModelFile[]> {
  const pad = (n: number) => String(n).padStart(5, '0');
  const files: ModelFile[] = [];
  for (let i = 0; i < FILES; i++) {
    const path = `model-${pad(i + 1)}-of-${pad(FILES)}.safetensors`;
    log(`pushing ${path} (${sizeText(FILE_BYTES)})`);
    const blob = new SyntheticBlob(FILE_BYTES);
    await pushMonolithic(ep, REPO, blob);
    files.push({ path, digest: blob.digest, size: FILE_BYTES });
  }
  const artifact = modelPackArtifact('hub-model', TAG, files);
  const post = await expectStatus(ep, 202, 'POST', `/v2/${REPO}/blobs/uploads/`, { headers: { 'content-length': 0 } });
  await expectStatus(ep, 201, 'PUT', withQuery(locationOf(ep, post), 'digest', artifact.configDigest), {
    headers: { 'content-type': 'application/octet-stream', 'content-length': artifact.config.length },
    body: artifact.config,
  });
  await expectStatus(ep, 201, 'PUT', `/v2/${REPO}/manifests/${TAG}`, {
    headers: { 'content-type': artifact.mediaType, 'content-length': artifact.manifest.length },
    body: artifact.manifest,
  });
  return files;
}

async function expectCommit(ep: Endpoint): Promise<string> {
  const info = await expectStatus(ep, 200, 'GET', `/api/models/${REPO}/revision/${TAG}`);
  return (JSON.parse(info.body!.toString()) as { sha: string }).sha;
}

/** Downloads every file through one API, all at once or one after the other; returns seconds. */
async function download(ep: Endpoint, path: Path, mode: Mode, files: ModelFile[], commit: string): Promise<number> {
  const start = performance.now();
  let fetchOne: (f: ModelFile) => Promise<void>;
  if (path === 'hub') {
    // What snapshot_download does first: the revision's commit id and file list.
    const info = await expectStatus(ep, 200, 'GET', `/api/models/${REPO}/revision/${TAG}`);
    const sha = (JSON.parse(info.body!.toString()) as { sha: string }).sha;
    if (sha !== commit) throw new Error(`model info: sha ${sha}, expected ${commit}`);
    fetchOne = async (f) => {
      const redirect = await send(ep, 'GET', `/${REPO}/resolve/${TAG}/${f.path}`);
      if (redirect.status !== 307) throw new Error(`resolve ${f.path}: expected 307, got ${redirect.status}`);
      const reply = await send(ep, 'GET', locationOf(ep, redirect));
      if (reply.status !== 200 || reply.bytes !== f.size) throw new Error(`resolve ${f.path}: status ${reply.status}, ${reply.bytes} of ${f.size} bytes`);
    };
  } else {
    const manifest = await expectStatus(ep, 200, 'GET', `/v2/${REPO}/manifests/${TAG}`, { headers: { accept: OCI_MANIFEST } });
    const layers = (JSON.parse(manifest.body!.toString()) as { layers: Array<{ digest: string; size: number }> }).layers;
    if (layers.length !== files.length) throw new Error(`manifest has ${layers.length} layers, expected ${files.length}`);
    fetchOne = async (f) => {
      const reply = await send(ep, 'GET', `/v2/${REPO}/blobs/${f.digest}`);
      if (reply.status !== 200 || reply.bytes !== f.size) throw new Error(`blob ${f.digest}: status ${reply.status}, ${reply.bytes} of ${f.size} bytes`);
    };
  }
  if (mode === 'parallel') await Promise.all(files.map(fetchOne));
  else for (const f of files) await fetchOne(f);
  return since(start);
}

async function measure(ep: Endpoint, serverPid: number, files: ModelFile[], commit: string): Promise<Table[]> {
  const total = files.reduce((n, f) => n + f.size, 0);
  const within10: Target = {
    text: 'Hub ≥ 90% of OCI (paired ratio)',
    check: (h, o, ratio) => ({ met: ratio >= 0.9, note: `${fmt(100 * ratio)}%; ratio of the medians ${fmt((100 * h) / o)}%` }),
  };
  const rates: Row[] = [];
  const costs: Row[] = [];
  const sampler = new RssSampler({ server: serverPid }, 20);
  sampler.start();
  const phases: Array<{ phase: string; row: Row; side: 'berth' | 'reference' }> = [];
  try {
    for (const mode of ['parallel', 'sequential'] as const) {
      const label = `${FILES} × ${sizeText(FILE_BYTES)}, ${mode === 'parallel' ? `${FILES} at once` : 'one at a time'}`;
      const rate = { ...emptyRow(label, 'MiB/s'), target: within10 };
      const serverCpu = emptyRow(`${label}: Berth server CPU`, 's', 'lower');
      const clientCpu = emptyRow(`${label}: client CPU (this process)`, 's', 'lower');
      const rss = emptyRow(`${label}: Berth server peak RSS`, 'MiB', 'lower');
      for (let run = 0; run < RUNS; run++) {
        const order: Path[] = run % 2 === 0 ? ['hub', 'oci'] : ['oci', 'hub'];
        log(`${mode}, run ${run + 1}/${RUNS}: ${order.join(' then ')}`);
        for (const path of order) {
          const side = path === 'hub' ? 'berth' : 'reference';
          const phase = `${mode}-${path}-${run}`;
          sampler.phase(phase);
          phases.push({ phase, row: rss, side });
          const server = processCpuSeconds(serverPid);
          const client = process.cpuUsage();
          const seconds = await download(ep, path, mode, files, commit);
          const used = process.cpuUsage(client);
          rate[side].push(total / MiB / seconds);
          serverCpu[side].push(processCpuSeconds(serverPid) - server);
          clientCpu[side].push((used.user + used.system) / 1e6);
          log(`  ${path}: ${fmt(total / MiB / seconds)} MiB/s`);
        }
      }
      rates.push(rate);
      costs.push(serverCpu, clientCpu, rss);
    }
  } finally {
    const peaks = sampler.stop().get('server')!;
    for (const { phase, row, side } of phases) row[side].push((peaks.byPhase.get(phase) ?? 0) / MiB);
  }
  return [
    {
      title: 'Results: download rate (median of runs)',
      intro: '"Hub ×" is the Hub path\'s rate / the OCI path\'s, taken per run (the two paths back to back) and then the median: 1 means equal, above 1 means the Hub path is faster.',
      rows: rates,
    },
    {
      title: 'Where the time goes (median of runs)',
      intro: 'CPU seconds per whole download (server: /proc/<pid>/stat of the Berth process; client: process.cpuUsage of this process) and the server\'s largest sampled VmRSS during it. "Hub ×" is OCI / Hub: above 1 means the Hub path costs less.',
      rows: costs,
    },
  ];
}

function report(started: Date, loadAtStart: number, limits: Limit[], tables: Table[]): void {
  const commit = spawnSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).stdout.trim();
  const markdown = renderSideBySide({
    title: `Hugging Face Hub API vs OCI blob API, downloads from one Berth server — ${started.toISOString()}`,
    subject: 'Hub',
    peer: 'OCI',
    notes: [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; Berth ${commit} (test/support/berth.ts defaults, access control off).`,
      `Model: ${FILES} files of ${sizeText(FILE_BYTES)} pushed once from memory (one 1 MiB random piece repeated, each file with its own first piece) with a ModelPack manifest under tag \`${TAG}\`; every download is hot from the page cache.`,
      `Hub path, as huggingface_hub's snapshot_download: \`GET /api/models/${REPO}/revision/${TAG}\`, then per file \`GET /${REPO}/resolve/${TAG}/<file>\` → 307 relative redirect → \`GET /${REPO}/resolve/<commit>/<file>\` (the bytes). OCI path: \`GET /v2/${REPO}/manifests/${TAG}\`, then per file \`GET /v2/${REPO}/blobs/<digest>\`. Timed from the first request to the last byte.`,
      `Same parallelism on both sides: the main row fetches all ${FILES} files at once (like snapshot_download, whose max_workers is 8), the second one file after another. One untimed warm-up download per path first.`,
      'Client: node:http, one keep-alive pool (16 sockets) shared by both paths, bodies counted and discarded, in this process on the same cores as the server.',
      `${RUNS} runs per row, the two paths back to back in alternating order; every figure is the median of the runs.`,
      `The machine is shared: 1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end. Trust ratios (paired, adjacent runs) over absolute numbers.`,
    ],
    limits,
    tables,
  });
  process.stdout.write(markdown);
  log(`written to ${writeResult('hub-vs-oci', started, markdown)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
