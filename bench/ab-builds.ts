// `BENCH_AB_OTHER=<checkout> npm run bench:ab`: this build against another built checkout of Berth
// (e.g. a `git worktree` of an earlier commit, after `npx tsc -p tsconfig.build.json` there), both
// as `berth serve` on SQLite + filesystem, measured in alternating rounds on the request paths a
// change is most likely to slow: manifest PUT (new tags) at 1 and 16 connections, manifest GET at
// 16, and small blob pushes. Prints medians per side and the median of the paired ratios (this
// build / other; above 1 is faster). Catches regressions between commits, which the side-by-side
// against docker-registry (`npm run bench`) cannot tell from machine drift.
import { resolve } from 'node:path';
import { startBerth, type BerthProcess } from '../test/support/berth.js';
import { smallBlobs } from './blob-data.js';
import { pushSmallBlobs } from './blob-scenarios.js';
import { closeEndpoint, endpoint } from './http-client.js';
import { manifestLoad, prepareManifests } from './manifest-scenarios.js';
import { median } from './report.js';

const other = process.env.BENCH_AB_OTHER;
if (!other) throw new Error('set BENCH_AB_OTHER to the root of another built Berth checkout');
const ROUNDS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const SMALL = Number(process.env.BENCH_SMALL_BLOBS ?? 1000);

type Side = 'this' | 'other';
const scenarios = ['manifest PUT c1', 'manifest PUT c16', 'manifest GET c16', 'small blobs c16'] as const;
const results = new Map<string, Record<Side, number[]>>(scenarios.map((s) => [s, { this: [], other: [] }]));
const log = (msg: string) => process.stderr.write(`[ab ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function measure(side: Side, round: number): Promise<void> {
  const berth: BerthProcess = await startBerth(side === 'other' ? { bin: resolve(other!, 'bin/berth.js') } : {});
  const ep = endpoint(berth.url);
  try {
    const fixture = await prepareManifests(ep, `ab/r${round}`);
    const record = (scenario: (typeof scenarios)[number], value: number) => results.get(scenario)![side].push(value);
    record('manifest PUT c1', (await manifestLoad(ep, fixture, 'put', 1, SECONDS, `a${round}-`)).opsPerSec);
    record('manifest PUT c16', (await manifestLoad(ep, fixture, 'put', 16, SECONDS, `b${round}-`)).opsPerSec);
    record('manifest GET c16', (await manifestLoad(ep, fixture, 'get', 16, SECONDS, '')).opsPerSec);
    const seconds = await pushSmallBlobs(ep, `ab/small${round}`, smallBlobs(SMALL, 4096), 16);
    record('small blobs c16', SMALL / seconds);
  } finally {
    closeEndpoint(ep);
    await berth.dispose();
  }
}

for (let round = 0; round < ROUNDS; round++) {
  // Alternate which side goes first, so drift and warm caches fall on both alike.
  const order: Side[] = round % 2 === 0 ? ['this', 'other'] : ['other', 'this'];
  for (const side of order) await measure(side, round);
  log(`round ${round + 1}/${ROUNDS} done`);
}

const fmt = (n: number) => n.toFixed(n >= 100 ? 0 : 2);
console.log(`| scenario (ops/s) | this build | ${other} | ratio (median of paired rounds) |`);
console.log('| --- | ---: | ---: | ---: |');
for (const [scenario, sides] of results) {
  const ratios = sides.this.map((v, i) => v / sides.other[i]!);
  console.log(`| ${scenario} | ${fmt(median(sides.this))} | ${fmt(median(sides.other))} | ${median(ratios).toFixed(2)}× |`);
}
