// `npm run bench:hooks`: what pull events cost pulls. One Berth serves manifest GETs (wrk, by tag)
// with a policy subscribed to `artifact.pulled` switched off and on in alternating runs, so both sides
// are the same process; a receiver in this process answers 200. Reports ops/s and p99 per side, the
// paired ratio, and how many pull events reached the receiver.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBerth } from '../test/support/berth.js';
import { closeEndpoint, endpoint, expectStatus } from './http-client.js';
import { manifestLoad, prepareManifests } from './manifest-scenarios.js';
import { benchLog, emptyRow, renderSideBySide, writeResult, type Table } from './side-by-side.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const log = benchLog('bench:hooks');

async function main(): Promise<void> {
  const started = new Date();
  let events = 0;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (body.includes('"artifact.pulled"')) events++;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const berth = await startBerth();
  const ep = endpoint(berth.url, 4);
  try {
    const fixture = await prepareManifests(ep, 'bench/hooks');
    const created = await expectStatus(ep, 201, 'POST', '/api/v1/system/webhooks', {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ url: hook, events: ['artifact.pulled'], enabled: false })),
      keepBody: true,
    });
    const id = (JSON.parse(created.body!.toString()) as { id: number }).id;
    const toggle = (enabled: boolean) =>
      expectStatus(ep, 200, 'PATCH', `/api/v1/webhooks/${id}`, { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ enabled })) });
    const rows = [1, 16].map((c) => ({ c, ops: emptyRow(`manifest GET, ${c} connection${c > 1 ? 's' : ''}`, 'ops/s'), p99: emptyRow(`p99 latency, ${c} connection${c > 1 ? 's' : ''}`, 'ms', 'lower') }));
    for (let run = 0; run < RUNS; run++) {
      for (const enabled of run % 2 === 0 ? [false, true] : [true, false]) {
        await toggle(enabled);
        for (const row of rows) {
          const result = await manifestLoad(ep, fixture, 'get', row.c, SECONDS, '');
          (enabled ? row.ops.berth : row.ops.reference).push(result.opsPerSec);
          (enabled ? row.p99.berth : row.p99.reference).push(result.p99Ms);
          log(`run ${run + 1} pull events ${enabled ? 'on ' : 'off'} c${row.c}: ${result.opsPerSec.toFixed(0)} ops/s, p99 ${result.p99Ms.toFixed(2)} ms`);
        }
      }
    }
    await toggle(true);
    await new Promise((r) => setTimeout(r, 3000));
    const tables: Table[] = [{ title: 'Manifest GET with and without pull events', rows: rows.flatMap((r) => [r.ops, r.p99]) }];
    const markdown = renderSideBySide({
      title: 'Pull events vs pulls',
      subject: 'pull events on',
      peer: 'pull events off',
      notes: [
        `${RUNS} runs of ${SECONDS} s per side and connection count, sides alternating; wrk (1 thread) against one Berth (SQLite, defaults).`,
        `${events} pull events reached the receiver in all: while on, each second's GETs of one manifest by one puller become one event with a count.`,
        'A ratio near 1 means recording pull events does not slow pulls.',
      ],
      limits: [],
      tables,
    });
    process.stdout.write(markdown);
    log(`written to ${writeResult('hooks', started, markdown)}`);
  } finally {
    closeEndpoint(ep);
    await berth.dispose();
    receiver.close();
  }
}

await main();
