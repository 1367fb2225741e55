// The filesystem driver against the BlobStore contract, plus what is special to it: crash safety on disk.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blobStoreContract } from '../../../test/contracts/blob-store.contract.js';
import { createFilesystemBlobStore } from './filesystem.js';

blobStoreContract('filesystem', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-fs-'));
  const store = await createFilesystemBlobStore({ root });
  return { store, dispose: async () => rmSync(root, { recursive: true, force: true }) };
});

describe('filesystem blob store', () => {
  it('leaves nothing under blobs/ until a commit, and no temporary file after put', async () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-fs-'));
    try {
      const store = await createFilesystemBlobStore({ root });
      const id = randomUUID();
      await store.appendUpload(id, 0, (async function* () { yield Buffer.from('partial'); })());
      expect(readdirSync(join(root, 'blobs'))).toEqual([]);
      await store.put('sha256:' + 'a'.repeat(64), Buffer.from('x'));
      expect(readdirSync(join(root, 'uploads'))).toEqual([id]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses paths that are not digests or upload ids', async () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-fs-'));
    try {
      const store = await createFilesystemBlobStore({ root });
      await expect(store.stat('sha256:../../etc/passwd')).rejects.toThrow(/not a storable digest/);
      await expect(store.deleteUpload('../x')).rejects.toThrow(/not an upload id/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
