// Crash safety: Berth is killed with SIGKILL while pushes are in flight (slow monolithic PUTs, chunked
// and streamed PATCH sequences, small blob + manifest pushes), then restarted on the same data
// directory and port. What a client was told is the contract: every acknowledged blob, manifest and
// tag must be intact; every unacknowledged upload session must be resumable from the offset the
// server reports or cleanly gone; and nothing may be visible under a digest with the wrong bytes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { absolute, descriptorOf, digestOf } from '../support/oci-client.js';
import { sendRequest } from '../support/streaming-http.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** One blob push and what the client was told about it. */
interface UploadOp {
  label: string;
  repo: string;
  bytes: Buffer;
  digest: string;
  /** The session Location, once the POST was answered. */
  location?: string;
  /** Bytes the server acknowledged with a 202 Range. */
  acked: number;
  /** True once the closing PUT was answered 201. */
  committed: boolean;
}

/** One manifest push and whether it was acknowledged. */
interface ManifestOp {
  repo: string;
  tag: string;
  bytes: Buffer;
  digest: string;
  acked: boolean;
}

/** Everything a round pushed, and the switch that stops new requests once the server is killed. */
class Round {
  readonly uploads: UploadOp[] = [];
  readonly manifests: ManifestOp[] = [];
  acks = 0;
  killed = false;
  active = 0;

  constructor(readonly base: string) {}

  upload(label: string, repo: string, bytes: Buffer): UploadOp {
    const op: UploadOp = { label, repo, bytes, digest: digestOf(bytes), acked: 0, committed: false };
    this.uploads.push(op);
    return op;
  }

  /** Runs `fn` as one in-flight operation; after the kill its connection errors are expected. */
  async track(fn: () => Promise<void>): Promise<void> {
    this.active++;
    try {
      await fn();
    } catch (err) {
      // After the kill, requests fail on the connection; a failed assertion is still a failure.
      if (!this.killed || (err as Error).name === 'AssertionError') throw err;
    } finally {
      this.active--;
    }
  }

  async post(op: UploadOp): Promise<string> {
    this.alive();
    const res = await sendRequest(`${this.base}/v2/${op.repo}/blobs/uploads/`, { method: 'POST', headers: { 'content-length': 0 } });
    expect(res.status, res.body.toString()).toBe(202);
    op.location = absolute(this.base, String(res.headers.location));
    return op.location;
  }

  /** POST, then one PUT whose body trickles in `piece`-sized writes `pauseMs` apart. */
  async monolithic(op: UploadOp, piece: number, pauseMs: number): Promise<void> {
    const location = await this.post(op);
    this.alive();
    const res = await sendRequest(withDigest(location, op.digest), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': op.bytes.length },
      body: trickle(op.bytes, piece, pauseMs, this),
    });
    expect(res.status, res.body.toString()).toBe(201);
    this.commit(op);
  }

  /** POST, ranged PATCHes of `chunk` bytes `pauseMs` apart, then a PUT with no body. */
  async chunked(op: UploadOp, chunk: number, pauseMs: number): Promise<void> {
    let location = await this.post(op);
    for (let start = 0; start < op.bytes.length; start += chunk) {
      const part = op.bytes.subarray(start, start + chunk);
      this.alive();
      const res = await sendRequest(location, {
        method: 'PATCH',
        headers: { 'content-type': 'application/octet-stream', 'content-length': part.length, 'content-range': `${start}-${start + part.length - 1}` },
        body: part,
      });
      expect(res.status, res.body.toString()).toBe(202);
      expect(res.headers.range).toBe(`0-${start + part.length - 1}`);
      op.acked = start + part.length;
      this.acks++;
      location = op.location = absolute(this.base, String(res.headers.location));
      await sleep(pauseMs);
    }
    this.alive();
    const res = await sendRequest(withDigest(location, op.digest), { method: 'PUT', headers: { 'content-length': 0 } });
    expect(res.status, res.body.toString()).toBe(201);
    this.commit(op);
  }

  /** POST, one PATCH streamed with chunked transfer encoding and no Content-Range (as skopeo and docker do), then PUT. */
  async streamed(op: UploadOp, piece: number, pauseMs: number): Promise<void> {
    const location = await this.post(op);
    this.alive();
    const res = await sendRequest(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body: trickle(op.bytes, piece, pauseMs, this) });
    expect(res.status, res.body.toString()).toBe(202);
    op.acked = op.bytes.length;
    this.acks++;
    this.alive();
    const put = await sendRequest(withDigest(absolute(this.base, String(res.headers.location)), op.digest), { method: 'PUT', headers: { 'content-length': 0 } });
    expect(put.status, put.body.toString()).toBe(201);
    this.commit(op);
  }

  /** Pushes small images (config, layer, tagged manifest) one after another until the kill. */
  async images(repo: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const config = this.upload(`config ${i}`, repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', i, salt: randomBytes(8).toString('hex') })));
      const layer = this.upload(`layer ${i}`, repo, randomBytes(64 * KiB + i * 997));
      await this.monolithic(config, config.bytes.length, 0);
      await this.monolithic(layer, 32 * KiB, 0);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: descriptorOf(config.bytes, 'application/vnd.oci.image.config.v1+json'),
          layers: [descriptorOf(layer.bytes, 'application/vnd.oci.image.layer.v1.tar')],
        }),
      );
      const op: ManifestOp = { repo, tag: `t${i}`, bytes: manifest, digest: digestOf(manifest), acked: false };
      this.manifests.push(op);
      this.alive();
      const res = await sendRequest(`${this.base}/v2/${repo}/manifests/${op.tag}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': manifest.length },
        body: manifest,
      });
      expect(res.status, res.body.toString()).toBe(201);
      expect(res.headers['docker-content-digest']).toBe(op.digest);
      op.acked = true;
      this.acks++;
      await sleep(10);
    }
  }

  private commit(op: UploadOp): void {
    op.committed = true;
    op.acked = op.bytes.length;
    this.acks++;
  }

  private alive(): void {
    if (this.killed) throw new Error('server was killed');
  }
}

describe('SIGKILL during pushes', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  // Kill points after the first acknowledgement: early (most sessions part-way), middle, late (the
  // fast monolithic pushes done, the slow ones still streaming).
  it.each([
    { round: 1, killAfterMs: 150 },
    { round: 2, killAfterMs: 700 },
    { round: 3, killAfterMs: 1600 },
  ])('round $round: kill $killAfterMs ms in, restart, everything acknowledged survives', async ({ killAfterMs }) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-crash-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startBerth({ dataDir });
    cleanup.push(() => first.dispose());
    const port = Number(first.host.split(':')[1]);
    const round = new Round(first.url);

    const ops = [
      round.track(() => round.monolithic(round.upload('mono 3MiB fast', 'crash/mono', randomBytes(3 * MiB)), 256 * KiB, 0)),
      round.track(() => round.monolithic(round.upload('mono 6MiB', 'crash/mono', randomBytes(6 * MiB + 5)), 64 * KiB, 8)),
      round.track(() => round.monolithic(round.upload('mono 8MiB slow', 'crash/mono', randomBytes(8 * MiB)), 64 * KiB, 20)),
      round.track(() => round.chunked(round.upload('chunked 40ms', 'crash/chunked', randomBytes(8 * MiB + 123 * KiB)), MiB, 40)),
      round.track(() => round.chunked(round.upload('chunked 120ms', 'crash/chunked', randomBytes(6 * MiB + 7)), MiB, 120)),
      round.track(() => round.chunked(round.upload('chunked small', 'crash/chunked', randomBytes(2 * MiB)), 256 * KiB, 30)),
      round.track(() => round.streamed(round.upload('streamed 5MiB', 'crash/streamed', randomBytes(5 * MiB)), 64 * KiB, 15)),
      // Many small commits in a row, so kills often land inside one (between rename and database).
      round.track(() => round.images('crash/images', 200)),
      round.track(() => round.images('crash/images-b', 200)),
    ];
    const settled = Promise.allSettled(ops);

    while (round.acks === 0) await sleep(5);
    await sleep(killAfterMs);
    const ackedAtKill = round.acks;
    const inFlightAtKill = round.active;
    round.killed = true;
    await first.kill();
    for (const result of await settled) if (result.status === 'rejected') throw result.reason;
    expect(ackedAtKill, 'some pushes were acknowledged before the kill').toBeGreaterThan(0);
    expect(inFlightAtKill, 'some pushes were in flight at the kill').toBeGreaterThan(0);

    const second = await startBerth({ dataDir, port });
    cleanup.push(() => second.dispose());
    const report = await verify(second, round);
    console.log(
      `crash round (kill at +${killAfterMs} ms): ${ackedAtKill} acks before the kill, ${inFlightAtKill} operations in flight; ` +
        `${report.committed} blobs and ${report.manifests} manifests acknowledged and intact; ` +
        `${report.resumed} unacknowledged sessions resumed, ${report.absent} cleanly absent`,
    );
  });
});

/** Checks the restarted server against what the client was told; resumes every surviving session. */
async function verify(berth: BerthProcess, round: Round) {
  const report = { committed: 0, manifests: 0, resumed: 0, absent: 0 };
  for (const op of round.uploads) {
    const where = `${op.label} (${op.digest})`;
    if (op.committed) {
      await expectBlob(berth.url, op, where);
      report.committed++;
      continue;
    }
    // Never visible with other bytes, whatever state the push was in.
    const blob = await sendRequest(`${berth.url}/v2/${op.repo}/blobs/${op.digest}`, { method: 'GET' });
    expect([200, 404], where).toContain(blob.status);
    if (blob.status === 200) expect(blob.body.equals(op.bytes), where).toBe(true);
    if (op.location === undefined) continue;
    const status = await sendRequest(op.location, { method: 'GET' });
    if (status.status === 404) {
      expect(JSON.parse(status.body.toString()).errors[0].code, where).toBe('BLOB_UPLOAD_UNKNOWN');
      report.absent++;
      continue;
    }
    expect(status.status, `${where}: ${status.body.toString()}`).toBe(204);
    const range = /^0-(\d+)$/.exec(String(status.headers.range));
    expect(range, `${where}: Range ${status.headers.range}`).not.toBeNull();
    // `0-0` is an empty session here: no push in this test ever leaves exactly one byte.
    const offset = op.acked === 0 && range![1] === '0' ? 0 : Number(range![1]) + 1;
    expect(offset, `${where}: the server must keep every acknowledged byte`).toBeGreaterThanOrEqual(op.acked);
    expect(offset, where).toBeLessThanOrEqual(op.bytes.length);
    let next = absolute(berth.url, String(status.headers.location));
    if (offset < op.bytes.length) {
      const rest = op.bytes.subarray(offset);
      const patch = await sendRequest(next, {
        method: 'PATCH',
        headers: { 'content-type': 'application/octet-stream', 'content-length': rest.length, 'content-range': `${offset}-${op.bytes.length - 1}` },
        body: rest,
      });
      expect(patch.status, `${where}: ${patch.body.toString()}`).toBe(202);
      next = absolute(berth.url, String(patch.headers.location));
    }
    const put = await sendRequest(withDigest(next, op.digest), { method: 'PUT', headers: { 'content-length': 0 } });
    expect(put.status, `${where}: ${put.body.toString()}`).toBe(201);
    await expectBlob(berth.url, op, where);
    report.resumed++;
  }
  for (const op of round.manifests) {
    const byDigest = await sendRequest(`${berth.url}/v2/${op.repo}/manifests/${op.digest}`, { method: 'GET' });
    const byTag = await sendRequest(`${berth.url}/v2/${op.repo}/manifests/${op.tag}`, { method: 'GET' });
    if (op.acked) {
      expect(byDigest.status, op.tag).toBe(200);
      expect(byTag.status, op.tag).toBe(200);
      report.manifests++;
    }
    for (const res of [byDigest, byTag]) {
      expect([200, 404], op.tag).toContain(res.status);
      if (res.status !== 200) continue;
      expect(res.headers['docker-content-digest'], op.tag).toBe(op.digest);
      expect(res.body.equals(op.bytes), op.tag).toBe(true);
    }
  }
  return report;
}

async function expectBlob(base: string, op: UploadOp, where: string): Promise<void> {
  const res = await sendRequest(`${base}/v2/${op.repo}/blobs/${op.digest}`, { method: 'GET' });
  expect(res.status, where).toBe(200);
  expect(res.headers['docker-content-digest'], where).toBe(op.digest);
  expect(digestOf(res.body), where).toBe(op.digest);
  expect(res.body.equals(op.bytes), where).toBe(true);
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** Yields `bytes` piece by piece; after the kill it fails the request rather than end a short body. */
async function* trickle(bytes: Buffer, piece: number, pauseMs: number, round: Round): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += piece) {
    if (round.killed) throw new Error('server was killed');
    yield bytes.subarray(i, i + piece);
    if (pauseMs > 0) await sleep(pauseMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
