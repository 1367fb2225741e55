// The S3 driver against the BlobStore contract on a real S3-protocol server (s3rver, or the endpoint
// in BERTH_TEST_S3_ENDPOINT / BERTH_TEST_S3_BUCKET), plus what is special to it: uploads spread over
// multipart parts and tails that another driver instance (another replica) continues, versions that
// keep a losing append from replacing the acknowledged bytes, read-ahead positional reads, presigned URLs.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobStoreContract } from '../../../test/contracts/blob-store.contract.js';
import { startS3Server, type S3Server } from '../../../test/support/s3-server.js';
import type { BlobStore } from '../../core/ports/blob-store.js';
import { openStores, type SqlStores } from '../metadata/open.js';
import { createS3BlobStore } from './s3.js';

let server: S3Server;
let dir: string;
let stores: SqlStores;
const MiB = 1 << 20;

beforeAll(async () => {
  server = await startS3Server();
  dir = mkdtempSync(join(tmpdir(), 'berth-s3-'));
  stores = await openStores({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
});
afterAll(async () => {
  await stores?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A driver on the test bucket under its own prefix; `redirectSeconds` turns presigned URLs on. */
function s3Store(prefix = `t-${randomUUID()}/`, redirectSeconds?: number): BlobStore {
  return createS3BlobStore({
    bucket: server.bucket,
    endpoint: server.endpoint,
    region: server.env.BERTH_S3_REGION!,
    forcePathStyle: server.env.BERTH_S3_FORCE_PATH_STYLE !== 'false',
    prefix: server.prefix + prefix,
    partBytes: 5 * MiB,
    redirectSeconds,
    ledger: stores.uploadLedger,
    credentials: server.env.AWS_ACCESS_KEY_ID ? { accessKeyId: server.env.AWS_ACCESS_KEY_ID, secretAccessKey: server.env.AWS_SECRET_ACCESS_KEY! } : undefined,
  });
}

blobStoreContract('s3', async () => {
  const store = s3Store();
  return { store, dispose: () => store.close() };
});

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}
async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of stream) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('s3 blob store', () => {
  it('continues on a second instance an upload of tiny and multi-part chunks begun on the first', async () => {
    const prefix = `shared-${randomUUID()}/`;
    const a = s3Store(prefix);
    const b = s3Store(prefix);
    try {
      const id = randomUUID();
      const pieces = [randomBytes(10), randomBytes(7 * MiB + 3), randomBytes(1), randomBytes(12 * MiB), randomBytes(4 * MiB)];
      let size = 0;
      let version: string | null = null;
      for (const [i, piece] of pieces.entries()) {
        const newVersion = randomUUID();
        size = await (i % 2 === 0 ? a : b).appendUpload(id, size, chunks(piece.subarray(0, 5), piece.subarray(5)), { version, newVersion });
        version = newVersion;
      }
      const whole = Buffer.concat(pieces);
      expect(size).toBe(whole.length);
      await a.commitUpload(id, size, sha256(whole), version);
      expect(await b.stat(sha256(whole))).toBe(whole.length);
      expect((await collect(await b.read(sha256(whole)))).equals(whole)).toBe(true);
      expect(await a.uploadExists(id)).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('commits over a blob whose HEAD fails at that moment (another replica overwriting it)', async () => {
    const store = s3Store();
    try {
      const id = randomUUID();
      const bytes = randomBytes(1000);
      const size = await store.appendUpload(id, 0, chunks(bytes), { newVersion: 'v1' });
      const bucket = (store as unknown as { bucket: { size(key: string): Promise<number | null> } }).bucket;
      const real = bucket.size.bind(bucket);
      let failures = 1;
      bucket.size = async (key) => {
        if (key.startsWith('blobs/') && failures-- > 0) throw new Error('InternalError: We encountered an internal error');
        return real(key);
      };
      await store.commitUpload(id, size, sha256(bytes), 'v1');
      expect(failures).toBe(0);
      expect(await store.stat(sha256(bytes))).toBe(1000);
    } finally {
      await store.close();
    }
  });

  it('keeps the acknowledged bytes when an append from the same version loses the race', async () => {
    const store = s3Store();
    try {
      const id = randomUUID();
      const first = randomBytes(6 * MiB);
      await store.appendUpload(id, 0, chunks(first), { newVersion: 'v1' });
      const winner = randomBytes(2 * MiB);
      const loser = randomBytes(2 * MiB);
      await store.appendUpload(id, first.length, chunks(winner), { version: 'v1', newVersion: 'won' });
      await store.appendUpload(id, first.length, chunks(loser), { version: 'v1', newVersion: 'lost' });
      const acknowledged = Buffer.concat([first, winner]);
      expect((await collect(await store.readUpload(id, acknowledged.length, 'won'))).equals(acknowledged)).toBe(true);
      await store.commitUpload(id, acknowledged.length, sha256(acknowledged), 'won');
      expect((await collect(await store.read(sha256(acknowledged)))).equals(acknowledged)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('serves positional reads across read-ahead windows and after jumps', async () => {
    const store = s3Store();
    try {
      const bytes = randomBytes(20 * MiB + 17);
      await store.put(sha256(bytes), bytes);
      const reader = await store.openReader(sha256(bytes));
      const into = Buffer.alloc(MiB);
      const seen: Buffer[] = [];
      for (let position = 0; ; ) {
        const n = await reader.read(into, position);
        if (n === 0) break;
        seen.push(Buffer.from(into.subarray(0, n)));
        position += n;
      }
      expect(Buffer.concat(seen).equals(bytes)).toBe(true);
      expect(await reader.read(into, 3)).toBe(MiB);
      expect(into.equals(bytes.subarray(3, 3 + MiB))).toBe(true);
      expect(await reader.read(into, bytes.length - 10)).toBe(10);
      expect(into.subarray(0, 10).equals(bytes.subarray(bytes.length - 10))).toBe(true);
      await reader.close();
    } finally {
      await store.close();
    }
  });

  it('hands out presigned URLs that fetch the blob, whole and by range, only in redirect mode', async () => {
    const plain = s3Store();
    const prefix = `r-${randomUUID()}/`;
    const redirecting = s3Store(prefix, 60);
    try {
      expect(plain.presignedUrl).toBeUndefined();
      const bytes = randomBytes(1000);
      await redirecting.put(sha256(bytes), bytes);
      const url = await redirecting.presignedUrl!(sha256(bytes));
      expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes)).toBe(true);
      const ranged = await fetch(url, { headers: { range: 'bytes=10-19' } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
      expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
    } finally {
      await plain.close();
      await redirecting.close();
    }
  });

  it('refuses keys that are not digests or upload ids', async () => {
    const store = s3Store();
    try {
      await expect(store.stat('sha256:../../etc/passwd')).rejects.toThrow(/not a storable digest/);
      await expect(store.appendUpload('../x', 0, chunks(Buffer.from('x')))).rejects.toThrow(/not an upload id/);
    } finally {
      await store.close();
    }
  });
});
