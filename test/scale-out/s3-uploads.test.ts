// Two Berth processes on one PostgreSQL database and one S3 bucket (s3rver, or the endpoint in
// BERTH_TEST_S3_ENDPOINT): a chunked push begun on A, continued on B and finished on A, with chunks
// below and above S3's 5 MiB part minimum; the blob read back whole and by range from both; and, on a
// third process in redirect mode, blob GETs (OCI, and Hub resolve) that answer 307 to a presigned URL
// with the right bytes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { isolatedEnv, pushFixture } from '../support/hub-models.js';
import { writeModelFixture } from '../support/model-fixtures.js';
import { absolute, digestOf } from '../support/oci-client.js';
import { createTestDatabase, postgresAvailable } from '../support/postgres.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

const MiB = 1 << 20;
const postgresUp = await postgresAvailable();

describe.skipIf(!postgresUp)('S3 uploads across replicas', () => {
  let s3: S3Server;
  let db: { url: string; drop(): Promise<void> };
  let a: BerthProcess;
  let b: BerthProcess;
  const started: BerthProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    s3 = await startS3Server();
    db = await createTestDatabase();
    env = { ...s3.env, BERTH_DATABASE_URL: db.url, BERTH_S3_PART_SIZE_MIB: '5' };
    a = await startBerth({ env });
    b = await startBerth({ env });
    started.push(a, b);
  });
  afterAll(async () => {
    for (const p of started) await p.dispose();
    await db?.drop();
    await s3?.stop();
  });

  async function patch(server: BerthProcess, location: string, chunk: Buffer, start: number): Promise<string> {
    const res = await fetch(absolute(server.url, location), {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + chunk.length - 1}` },
      body: chunk,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(res.headers.get('range')).toBe(`0-${start + chunk.length - 1}`);
    return res.headers.get('location')!;
  }

  it('continues on B a chunked push begun on A, finishes it on A, and serves it whole and by range', async () => {
    const chunks = [randomBytes(1000), randomBytes(6 * MiB + 1), randomBytes(3 * MiB), randomBytes(7 * MiB + 5), randomBytes(123)];
    const whole = Buffer.concat(chunks);
    const digest = digestOf(whole);
    const post = await fetch(`${a.url}/v2/models/big/blobs/uploads/`, { method: 'POST' });
    expect(post.status).toBe(202);
    let location = post.headers.get('location')!;
    let offset = 0;
    for (const [i, chunk] of chunks.slice(0, -1).entries()) {
      location = await patch(i === 0 ? a : b, location, chunk, offset);
      offset += chunk.length;
    }
    const status = await fetch(absolute(a.url, location));
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe(`0-${offset - 1}`);
    const last = chunks.at(-1)!;
    const closing = new URL(absolute(a.url, location));
    closing.searchParams.set('digest', digest);
    const put = await fetch(closing, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + last.length - 1}` },
      body: last,
    });
    expect(put.status, await put.clone().text()).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(digest);

    for (const server of [a, b]) {
      const got = await fetch(`${server.url}/v2/models/big/blobs/${digest}`);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(whole)).toBe(true);
      const start = 6 * MiB - 7;
      const ranged = await fetch(`${server.url}/v2/models/big/blobs/${digest}`, { headers: { range: `bytes=${start}-${start + 2 * MiB}` } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-range')).toBe(`bytes ${start}-${start + 2 * MiB}/${whole.length}`);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(whole.subarray(start, start + 2 * MiB + 1))).toBe(true);
    }
  });

  it('redirects blob GETs to a presigned URL in redirect mode, and the URL yields the bytes', async () => {
    const redirecting = await startBerth({ env: { ...env, BERTH_S3_REDIRECT: 'true' } });
    started.push(redirecting);
    const bytes = randomBytes(3 * MiB);
    const digest = digestOf(bytes);
    const post = await fetch(`${b.url}/v2/models/small/blobs/uploads/?digest=${encodeURIComponent(digest)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(post.status).toBe(201);
    const url = `${redirecting.url}/v2/models/small/blobs/${digest}`;
    const manual = await fetch(url, { redirect: 'manual' });
    expect(manual.status).toBe(307);
    expect(manual.headers.get('location')).toMatch(new RegExp(`^${s3.endpoint}/.*X-Amz-Signature=`));
    const followed = await fetch(url);
    expect(followed.status).toBe(200);
    expect(Buffer.from(await followed.arrayBuffer()).equals(bytes)).toBe(true);
    const ranged = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    const head = await fetch(url, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(bytes.length)]);
    expect((await fetch(`${redirecting.url}/v2/models/small/blobs/${digestOf('absent')}`, { redirect: 'manual' })).status).toBe(404);

    const work = mkdtempSync(join(tmpdir(), 'berth-s3-hub-'));
    try {
      const fixture = await writeModelFixture(join(work, 'model'));
      await pushFixture(a.host, 'acme/tiny', 'v1', fixture, isolatedEnv(work));
      const resolved = await fetch(`${redirecting.url}/acme/tiny/resolve/v1/config.json`);
      expect(resolved.status).toBe(200);
      expect(resolved.url).toMatch(new RegExp(`^${s3.endpoint}/`));
      expect(Buffer.from(await resolved.arrayBuffer()).equals(readFileSync(join(fixture.dir, 'config.json')))).toBe(true);
      const head = await fetch(`${redirecting.url}/acme/tiny/resolve/v1/config.json`, { method: 'HEAD' });
      expect([head.status, head.url.startsWith(redirecting.url)]).toEqual([200, true]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
