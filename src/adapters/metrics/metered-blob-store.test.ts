// The metering decorator over the real filesystem driver: real failures are counted by operation;
// absent blobs and failing request bodies are not; results pass through unchanged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFilesystemBlobStore } from '../blobs/filesystem.js';
import type { BlobStore } from '../../core/ports/blob-store.js';
import { meteredBlobStore } from './metered-blob-store.js';

const ID = '0b7e1c5e-9d6f-4a53-8a52-2f1f8d1e0c11';
const ABSENT = `sha256:${'0'.repeat(64)}`;

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe('meteredBlobStore', () => {
  let dir: string;
  let store: BlobStore;
  let failures: string[];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-metered-'));
    failures = [];
    store = meteredBlobStore(await createFilesystemBlobStore({ root: dir, fsync: false }), (op) => failures.push(op));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes results through and counts nothing when all goes well or a blob is absent', async () => {
    expect(await store.stat(ABSENT)).toBeNull();
    await expect(store.read(ABSENT)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(store.openReader(ABSENT)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.delete(ABSENT);
    expect(await store.appendUpload(ID, 0, chunks('hello ', 'world'))).toBe(11);
    let text = '';
    for await (const chunk of await store.readUpload(ID, 11)) text += String(chunk);
    expect(text).toBe('hello world');
    expect(failures).toEqual([]);
  });

  it('counts a failing operation under its name, but not a failing request body', async () => {
    await expect(store.appendUpload(ID, 5, chunks('x'))).rejects.toThrow(/fewer than the acknowledged/);
    expect(failures).toEqual(['appendUpload']);
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('abc');
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(store.appendUpload(ID, 0, broken())).rejects.toThrow('aborted');
    await expect(store.put('not-a-digest', Buffer.from('x'))).rejects.toThrow(/not a storable digest/);
    expect(failures).toEqual(['appendUpload', 'put']);
  });
});
