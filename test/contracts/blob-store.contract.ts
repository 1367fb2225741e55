// The BlobStore contract: every driver (filesystem today, S3 next) must pass these checks.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/core/ports/blob-store.js';

/** A fresh, empty store and how to dispose of it. */
export interface BlobStoreHarness {
  store: BlobStore;
  dispose(): Promise<void>;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Byte equality without vitest's element-by-element diff, which is slow on megabytes. */
function expectSame(actual: Buffer, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.equals(expected)).toBe(true);
}

async function* chunksOf(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

async function* failingAfter(part: Uint8Array): AsyncIterable<Uint8Array> {
  yield part;
  throw new Error('client went away');
}

/** Registers the contract suite for a driver. */
export function blobStoreContract(driver: string, create: () => Promise<BlobStoreHarness>): void {
  describe(`BlobStore contract: ${driver}`, () => {
    let h: BlobStoreHarness;
    beforeEach(async () => {
      h = await create();
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('reports absent blobs as null and deletes them without error', async () => {
      const digest = sha256(randomBytes(8));
      expect(await h.store.stat(digest)).toBeNull();
      await h.store.delete(digest);
    });

    it('stores a small blob with put and reads it whole and by range', async () => {
      const bytes = randomBytes(1000);
      const digest = sha256(bytes);
      await h.store.put(digest, bytes);
      expect(await h.store.stat(digest)).toBe(1000);
      expectSame(await collect(await h.store.read(digest)), bytes);
      expectSame(await collect(await h.store.read(digest, { start: 10, end: 19 })), bytes.subarray(10, 20));
    });

    it('reads a committed blob at positions, and refuses an absent one', async () => {
      const bytes = randomBytes(5000);
      const digest = sha256(bytes);
      await h.store.put(digest, bytes);
      const reader = await h.store.openReader(digest);
      const into = Buffer.alloc(1000);
      expect(await reader.read(into, 4500)).toBe(500);
      expectSame(into.subarray(0, 500), bytes.subarray(4500));
      expect(await reader.read(into, 5000)).toBe(0);
      await reader.close();
      await expect(h.store.openReader(sha256(randomBytes(4)))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('builds an upload from appends and commits it under its digest', async () => {
      const id = randomUUID();
      const a = randomBytes(3 << 20);
      const b = randomBytes(12345);
      await h.store.createUpload(id);
      expect(await h.store.appendUpload(id, 0, chunksOf(a))).toBe(a.length);
      expect(await h.store.appendUpload(id, a.length, chunksOf(b.subarray(0, 100), b.subarray(100)))).toBe(a.length + b.length);
      const whole = Buffer.concat([a, b]);
      expectSame(await collect(await h.store.readUpload(id, whole.length)), whole);
      const digest = sha256(whole);
      await h.store.commitUpload(id, whole.length, digest);
      await h.store.deleteUpload(id);
      expect(await h.store.stat(digest)).toBe(whole.length);
      expectSame(await collect(await h.store.read(digest)), whole);
    });

    it('keeps the acknowledged prefix when an append fails, and discards the rest on the next append', async () => {
      const id = randomUUID();
      const first = randomBytes(4096);
      await h.store.createUpload(id);
      await h.store.appendUpload(id, 0, chunksOf(first));
      await expect(h.store.appendUpload(id, first.length, failingAfter(randomBytes(2 << 20)))).rejects.toThrow('client went away');
      const second = randomBytes(100);
      expect(await h.store.appendUpload(id, first.length, chunksOf(second))).toBe(first.length + second.length);
      expectSame(await collect(await h.store.readUpload(id, first.length + second.length)), Buffer.concat([first, second]));
    });

    it('tells whether an upload holds bytes, also after an unsynced append', async () => {
      const id = randomUUID();
      await h.store.createUpload(id);
      expect(await h.store.uploadExists(id)).toBe(false);
      expect(await h.store.appendUpload(id, 0, chunksOf(randomBytes(10)), { sync: false })).toBe(10);
      expect(await h.store.uploadExists(id)).toBe(true);
      await h.store.deleteUpload(id);
      expect(await h.store.uploadExists(id)).toBe(false);
    });

    it('commits an empty upload as the empty blob', async () => {
      const id = randomUUID();
      await h.store.createUpload(id);
      const digest = sha256(new Uint8Array());
      await h.store.commitUpload(id, 0, digest);
      expect(await h.store.stat(digest)).toBe(0);
      expect((await collect(await h.store.read(digest))).length).toBe(0);
    });

    it('stores identical content once when committed twice', async () => {
      const bytes = randomBytes(2048);
      const digest = sha256(bytes);
      for (const id of [randomUUID(), randomUUID()]) {
        await h.store.createUpload(id);
        await h.store.appendUpload(id, 0, chunksOf(bytes));
        await h.store.commitUpload(id, bytes.length, digest);
        await h.store.deleteUpload(id);
      }
      expectSame(await collect(await h.store.read(digest)), bytes);
    });

    it('lists uploads last written before a moment', async () => {
      const id = randomUUID();
      await h.store.createUpload(id);
      await h.store.appendUpload(id, 0, chunksOf(randomBytes(10)));
      expect(await h.store.listUploadsBefore(new Date(Date.now() - 60_000))).not.toContain(id);
      expect(await h.store.listUploadsBefore(new Date(Date.now() + 60_000))).toContain(id);
    });

    it('removes uploads and blobs', async () => {
      const id = randomUUID();
      await h.store.createUpload(id);
      await h.store.appendUpload(id, 0, chunksOf(randomBytes(10)));
      await h.store.deleteUpload(id);
      await h.store.deleteUpload(id);
      const bytes = randomBytes(10);
      await h.store.put(sha256(bytes), bytes);
      await h.store.delete(sha256(bytes));
      expect(await h.store.stat(sha256(bytes))).toBeNull();
    });

    it('streams a large blob back in bounded pieces', async () => {
      const id = randomUUID();
      const piece = randomBytes(1 << 20);
      const parts = Array.from({ length: 32 }, () => piece);
      await h.store.createUpload(id);
      await h.store.appendUpload(id, 0, chunksOf(...parts));
      const whole = Buffer.concat(parts);
      await h.store.commitUpload(id, whole.length, sha256(whole));
      let largest = 0;
      const hash = createHash('sha256');
      for await (const c of await h.store.read(sha256(whole))) {
        largest = Math.max(largest, (c as Buffer).length);
        hash.update(c as Buffer);
      }
      expect(`sha256:${hash.digest('hex')}`).toBe(sha256(whole));
      expect(largest).toBeLessThanOrEqual(4 << 20);
    });
  });
}
