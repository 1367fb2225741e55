// Memory stays flat whatever the blob size: a multi-GiB blob (2 GiB by default, BERTH_TEST_BIG_BLOB_GIB
// to change) is pushed as one monolithic PUT and as 64 MiB chunked PATCHes, then pulled back, while
// the server's resident set is sampled every 100 ms. The bound is a constant, so a server that
// buffered a request or response body anywhere would fail it. The client streams from a generator and
// hashes as it goes, so neither side ever holds the blob.
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { absolute } from '../support/oci-client.js';
import { openRequest, sendRequest } from '../support/streaming-http.js';

const MiB = 1024 * 1024;
const GIB = Number(process.env.BERTH_TEST_BIG_BLOB_GIB ?? 2);
/** Not a multiple of the chunk or piece size, so the last chunk and piece are short. */
const SIZE = Math.round(GIB * 1024) * MiB + 12_345;
const CHUNK = 64 * MiB;
/** Peak resident set allowed to the server, in MiB: independent of SIZE. */
const RSS_BOUND_MIB = 200;
const TIMEOUT_MS = Math.max(120_000, GIB * 180_000);

/** A random MiB, reused with a per-piece rotation and stamp so no two pieces are alike. */
const BASE = randomBytes(MiB);

/** Piece `i` (1 MiB, the last one shorter) of the blob named by `seed`. */
function piece(seed: number, i: number): Buffer {
  const length = Math.min(MiB, SIZE - i * MiB);
  const out = Buffer.allocUnsafe(MiB);
  const rotation = (i * 7919 + seed * 104_729) % MiB;
  BASE.copy(out, 0, rotation);
  BASE.copy(out, MiB - rotation, 0, rotation);
  out.writeUInt32LE(i, 0);
  out.writeUInt32LE(seed, 4);
  return out.subarray(0, length);
}

/** Bytes [start, end) of the blob named by `seed`, generated piece by piece and fed to `hash`. */
async function* blobBytes(seed: number, start: number, end: number, hash?: ReturnType<typeof createHash>): AsyncIterable<Uint8Array> {
  for (let i = start / MiB; i * MiB < end; i++) {
    const bytes = piece(seed, i);
    hash?.update(bytes);
    yield bytes;
  }
}

/** Samples the resident set of a process every 100 ms, keeping the peak. */
class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.sample();
  }

  sample(): number {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    const rss = Number(match![1]) * 1024;
    this.peak = Math.max(this.peak, rss);
    return rss;
  }

  /** Restarts the peak for the next phase. */
  reset(): void {
    this.peak = 0;
    this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

describe.skipIf(process.platform !== 'linux')(`a ${(SIZE / 2 ** 30).toFixed(2)} GiB blob through Berth`, () => {
  let berth: BerthProcess;
  let server: RssSampler;
  let client: RssSampler;
  const peaks: Record<string, { server: number; client: number; seconds: number }> = {};
  const digests: Record<string, string> = {};
  let idle = 0;

  beforeAll(async () => {
    berth = await startBerth();
    server = new RssSampler(berth.child.pid!);
    idle = server.peak;
    client = new RssSampler(process.pid);
  });

  afterAll(async () => {
    server?.stop();
    client?.stop();
    await berth?.dispose();
    const lines = Object.entries(peaks).map(
      ([phase, p]) => `  ${phase.padEnd(22)} server peak RSS ${mib(p.server)} MiB, client peak RSS ${mib(p.client)} MiB, ${p.seconds.toFixed(1)} s (${(SIZE / MiB / p.seconds).toFixed(0)} MiB/s)`,
    );
    console.log(`big blob of ${SIZE} bytes; server RSS ${mib(idle)} MiB idle, bound ${RSS_BOUND_MIB} MiB:\n${lines.join('\n')}`);
  });

  /** Runs a phase, recording peak RSS of both processes and its duration; checks the server's bound. */
  async function phase(name: string, fn: () => Promise<void>): Promise<void> {
    server.reset();
    client.reset();
    const started = performance.now();
    await fn();
    server.sample();
    client.sample();
    peaks[name] = { server: server.peak, client: client.peak, seconds: (performance.now() - started) / 1000 };
    expect(mib(server.peak), `server peak RSS during ${name}`).toBeLessThan(RSS_BOUND_MIB);
  }

  it(
    'pushes it in 64 MiB chunked PATCHes',
    async () => {
      await phase('chunked push', async () => {
        const hash = createHash('sha256');
        const post = await sendRequest(`${berth.url}/v2/big/chunked/blobs/uploads/`, { method: 'POST', headers: { 'content-length': 0 } });
        expect(post.status).toBe(202);
        let location = absolute(berth.url, String(post.headers.location));
        for (let start = 0; start < SIZE; start += CHUNK) {
          const end = Math.min(SIZE, start + CHUNK);
          const res = await sendRequest(location, {
            method: 'PATCH',
            headers: { 'content-type': 'application/octet-stream', 'content-length': end - start, 'content-range': `${start}-${end - 1}` },
            body: blobBytes(1, start, end, hash),
          });
          expect(res.status, res.body.toString()).toBe(202);
          expect(res.headers.range).toBe(`0-${end - 1}`);
          location = absolute(berth.url, String(res.headers.location));
        }
        digests.chunked = `sha256:${hash.digest('hex')}`;
        const put = await sendRequest(`${location}?digest=${encodeURIComponent(digests.chunked)}`, { method: 'PUT', headers: { 'content-length': 0 } });
        expect(put.status, put.body.toString()).toBe(201);
        expect(put.headers['docker-content-digest']).toBe(digests.chunked);
      });
    },
    TIMEOUT_MS,
  );

  it(
    'pushes it as one monolithic PUT',
    async () => {
      // The digest goes in the PUT URL, so a first pass over the generator computes it.
      const hash = createHash('sha256');
      for await (const _ of blobBytes(2, 0, SIZE, hash));
      digests.monolithic = `sha256:${hash.digest('hex')}`;
      await phase('monolithic push', async () => {
        const post = await sendRequest(`${berth.url}/v2/big/monolithic/blobs/uploads/`, { method: 'POST', headers: { 'content-length': 0 } });
        expect(post.status).toBe(202);
        const location = absolute(berth.url, String(post.headers.location));
        const put = await sendRequest(`${location}?digest=${encodeURIComponent(digests.monolithic!)}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream', 'content-length': SIZE },
          body: blobBytes(2, 0, SIZE),
        });
        expect(put.status, put.body.toString()).toBe(201);
      });
    },
    TIMEOUT_MS,
  );

  it(
    'pulls both back with the same digest',
    async () => {
      for (const kind of ['chunked', 'monolithic'] as const) {
        expect(digests[kind], `the ${kind} push must have succeeded`).toBeDefined();
        await phase(`${kind} pull`, async () => {
          const res = await openRequest(`${berth.url}/v2/big/${kind}/blobs/${digests[kind]}`, { method: 'GET' });
          expect(res.statusCode).toBe(200);
          expect(Number(res.headers['content-length'])).toBe(SIZE);
          const hash = createHash('sha256');
          let received = 0;
          for await (const chunk of res) {
            hash.update(chunk as Buffer);
            received += (chunk as Buffer).length;
          }
          expect(received).toBe(SIZE);
          expect(`sha256:${hash.digest('hex')}`).toBe(digests[kind]);
        });
      }
    },
    TIMEOUT_MS,
  );
});

function mib(bytes: number): number {
  return Math.round(bytes / MiB);
}
