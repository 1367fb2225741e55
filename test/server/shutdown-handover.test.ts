// Graceful shutdown between two replicas on one PostgreSQL database and one shared storage directory:
// on SIGTERM, A's /readyz answers 503 at once while its in-flight chunk finishes; A exits 0, and
// the upload it was serving is continued and committed on B.
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBerth } from '../support/berth.js';
import { absolute, digestOf } from '../support/oci-client.js';
import { createTestDatabase, postgresAvailable } from '../support/postgres.js';

const postgresUp = await postgresAvailable();

/** Sends a PATCH whose body arrives in two parts; `between` runs after the first part is sent. */
function patchInTwoParts(url: string, first: Buffer, second: Buffer, between: () => Promise<void>): Promise<{ status: number; range: string | undefined }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'PATCH',
        headers: { 'content-type': 'application/octet-stream', 'content-length': first.length + second.length },
      },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode!, range: res.headers.range });
      },
    );
    req.on('error', reject);
    req.write(first, () => {
      between().then(() => req.end(second), reject);
    });
  });
}

async function readyStatus(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`)).status;
}

describe.skipIf(!postgresUp)('shutdown hands uploads over', () => {
  it('continues on B an upload A was serving when it got SIGTERM', async () => {
    const db = await createTestDatabase();
    const storage = mkdtempSync(join(tmpdir(), 'berth-shared-'));
    const env = { BERTH_DATABASE_URL: db.url, BERTH_STORAGE_PATH: storage };
    // A keeps serving for a while after SIGTERM (as behind a Service), with /readyz already at 503.
    const a = await startBerth({ env: { ...env, BERTH_SHUTDOWN_DELAY_SECONDS: '5' } });
    const b = await startBerth({ env });
    try {
      const blob = randomBytes(3 * 256 * 1024 + 77);
      const [one, two, three] = [blob.subarray(0, 256 * 1024), blob.subarray(256 * 1024, 2 * 256 * 1024), blob.subarray(2 * 256 * 1024)];
      const post = await fetch(`${a.url}/v2/handover/model/blobs/uploads/`, { method: 'POST' });
      expect(post.status).toBe(202);
      const path = new URL(absolute(a.url, post.headers.get('location')!)).pathname;
      const first = await fetch(`${a.url}${path}`, { method: 'PATCH', body: one, headers: { 'content-range': `0-${one.length - 1}` } });
      expect(first.status).toBe(202);

      // Chunk two is in flight on A when SIGTERM arrives.
      let readyDuringDrain = 0;
      const second = await patchInTwoParts(`${a.url}${path}`, two.subarray(0, 1000), two.subarray(1000), async () => {
        a.child.kill('SIGTERM');
        for (let i = 0; i < 200 && readyDuringDrain !== 503; i++) {
          readyDuringDrain = await readyStatus(a.url);
          if (readyDuringDrain !== 503) await new Promise((r) => setTimeout(r, 10));
        }
      });
      expect(readyDuringDrain).toBe(503);
      expect(await readyStatus(b.url)).toBe(200);
      expect(second).toEqual({ status: 202, range: `0-${2 * 256 * 1024 - 1}` });
      expect(await a.stop(), a.output()).toBe(0);

      // B knows the session from the database and finishes it.
      const status = await fetch(`${b.url}${path}`);
      expect([status.status, status.headers.get('range')]).toEqual([204, `0-${2 * 256 * 1024 - 1}`]);
      const digest = digestOf(blob);
      const put = await fetch(`${b.url}${path}?digest=${digest}`, { method: 'PUT', body: three, headers: { 'content-range': `${2 * 256 * 1024}-${blob.length - 1}` } });
      expect(put.status, await put.clone().text()).toBe(201);
      const pulled = Buffer.from(await (await fetch(`${b.url}/v2/handover/model/blobs/${digest}`)).arrayBuffer());
      expect(pulled.equals(blob)).toBe(true);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
      await db.drop();
      rmSync(storage, { recursive: true, force: true });
    }
  });
});
