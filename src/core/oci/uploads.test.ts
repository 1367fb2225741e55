// Upload sessions over real drivers (filesystem + SQLite): a session begun by one service instance
// (one replica, or the process before a restart) is continued and verified by another.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFilesystemBlobStore } from '../../adapters/blobs/filesystem.js';
import { openRegistryStore } from '../../adapters/metadata/open.js';
import { isRegistryError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import { systemClock } from '../ports/clock.js';
import type { RegistryStore } from '../ports/registry-store.js';
import { UploadService, type UploadBody } from './uploads.js';

const body = (bytes: Uint8Array, contentRange?: string): UploadBody => ({
  source: (async function* () {
    yield bytes;
  })(),
  present: bytes.length > 0,
  contentLength: bytes.length,
  contentRange,
});
const sha = (b: Uint8Array, alg = 'sha256') => `${alg}:${createHash(alg).update(b).digest('hex')}`;

describe('UploadService', () => {
  let dir: string;
  let blobs: BlobStore;
  let store: RegistryStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-uploads-'));
    blobs = await createFilesystemBlobStore({ root: join(dir, 'storage') });
    store = await openRegistryStore({ driver: 'sqlite', path: join(dir, 'db'), synchronous: 'normal' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits new content without a claim write, and fails cleanly if its bytes vanished before its record went live', async () => {
    const claims: string[] = [];
    const counted = new Proxy(store, {
      get: (target, property, receiver) =>
        property === 'claimBlob' ? (...args: Parameters<RegistryStore['claimBlob']>) => (claims.push(args[0]), target.claimBlob(...args)) : Reflect.get(target, property, receiver),
    });
    const service = new UploadService(blobs, counted, systemClock);
    const bytes = randomBytes(5000);
    await service.putWhole('r', sha(bytes), body(bytes));
    expect(claims).toEqual([]);
    expect(await store.hasBlobRecord(sha(bytes))).toBe(true);
    await service.putWhole('r2', sha(bytes), body(bytes));
    expect(claims).toEqual([sha(bytes)]);

    // A GC that swept a record created meanwhile deletes the bytes just after the rename.
    const other = randomBytes(3000);
    const sweeping = new Proxy(blobs, {
      get: (target, property, receiver) =>
        property === 'commitUpload'
          ? async (...args: Parameters<BlobStore['commitUpload']>) => {
              await target.commitUpload(...args);
              await target.delete(args[2]);
            }
          : Reflect.get(target, property, receiver),
    });
    const unlucky = new UploadService(sweeping, store, systemClock);
    await expect(unlucky.putWhole('r', sha(other), body(other))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await store.getLinkedBlob('r', sha(other))).toBeNull();
  });

  it('rides out a store that fails or shows the blob short for a moment after the commit (a concurrent overwrite)', async () => {
    const bytes = randomBytes(4000);
    // Once the bytes are committed, the first look at them fails and the second sees a short object.
    let committed = false;
    let hiccups = 2;
    const overwritten = new Proxy(blobs, {
      get: (target, property, receiver) => {
        if (property === 'commitUpload') {
          return async (...args: Parameters<BlobStore['commitUpload']>) => {
            await target.commitUpload(...args);
            committed = true;
          };
        }
        if (property !== 'stat') return Reflect.get(target, property, receiver);
        return async (digest: string) => {
          if (!committed || hiccups === 0) return target.stat(digest);
          hiccups--;
          if (hiccups === 1) throw new Error('InternalError: the object is being replaced');
          return 17;
        };
      },
    });
    expect(await new UploadService(overwritten, store, systemClock).putWhole('r', sha(bytes), body(bytes))).toEqual({ digest: sha(bytes), size: 4000 });
    expect(hiccups).toBe(0);
    expect(await store.getLinkedBlob('r', sha(bytes))).not.toBeNull();
  });

  it('continues a session begun by another instance from its saved digest state, reading nothing back', async () => {
    const readBacks: string[] = [];
    const watched = new Proxy(blobs, {
      get: (target, property, receiver) =>
        property === 'readUpload' ? (id: string, size: number) => (readBacks.push(id), target.readUpload(id, size)) : Reflect.get(target, property, receiver),
    });
    const a = new UploadService(watched, store, systemClock);
    const b = new UploadService(watched, store, systemClock);
    const first = randomBytes(100_000);
    const second = randomBytes(50_000);
    const upload = await a.start('r');
    await a.append('r', upload.id, body(first, `0-${first.length - 1}`));
    const status = await b.status('r', upload.id);
    expect(status.size).toBe(first.length);
    await b.append('r', upload.id, body(second, `${first.length}-${first.length + second.length - 1}`));
    const whole = Buffer.concat([first, second]);
    await expect(a.complete('r', upload.id, sha(whole), body(new Uint8Array()))).resolves.toEqual({ digest: sha(whole), size: whole.length });
    expect(await store.getLinkedBlob('r', sha(whole))).toEqual({ size: whole.length });
    expect(readBacks).toEqual([]);
  });

  it('with saveDigestState off, hashes nothing per chunk and verifies the upload once at commit', async () => {
    const svc = new UploadService(blobs, store, systemClock, { saveDigestState: false });
    const first = randomBytes(2000);
    const second = randomBytes(500);
    const upload = await svc.start('r');
    expect((await svc.append('r', upload.id, body(first))).hashState).toBeNull();
    const wrong = await svc.complete('r', upload.id, sha(first), body(second)).catch((e: unknown) => e);
    expect(isRegistryError(wrong) && wrong.code).toBe('DIGEST_INVALID');
    const whole = Buffer.concat([first, second]);
    await expect(svc.complete('r', upload.id, sha(whole), body(second))).resolves.toEqual({ digest: sha(whole), size: whole.length });
  });

  it('re-hashes at commit a session that has no saved digest state', async () => {
    const svc = new UploadService(blobs, store, systemClock);
    const bytes = randomBytes(3000);
    const upload = await svc.start('r');
    const acknowledged = await svc.append('r', upload.id, body(bytes));
    expect(acknowledged.hashState).toBeInstanceOf(Uint8Array);
    // A session acknowledged before digest states were saved (or by a build whose state cannot be loaded).
    expect(await store.setUploadSize(upload.id, bytes.length, bytes.length, new Date(), { hashState: null, blobVersion: acknowledged.blobVersion ?? null })).toBe(true);
    await expect(svc.complete('r', upload.id, sha(bytes), body(new Uint8Array()))).resolves.toEqual({ digest: sha(bytes), size: bytes.length });
  });

  it('completes a session whose earlier commit crashed after the blob was moved into place', async () => {
    const before = new UploadService(blobs, store, systemClock);
    const bytes = randomBytes(4096);
    const upload = await before.start('r');
    await before.append('r', upload.id, body(bytes));
    // The crash: the bytes were installed as the blob, the session was not ended yet.
    await blobs.commitUpload(upload.id, bytes.length, sha(bytes));
    expect(await blobs.uploadExists(upload.id)).toBe(false);
    const after = new UploadService(blobs, store, systemClock);
    expect((await after.status('r', upload.id)).size).toBe(bytes.length);
    await expect(after.complete('r', upload.id, sha(bytes), body(new Uint8Array()))).resolves.toEqual({ digest: sha(bytes), size: bytes.length });
    expect(await store.getLinkedBlob('r', sha(bytes))).toEqual({ size: bytes.length });
  });

  it('verifies sha512 uploads even though sessions hash sha256 by default', async () => {
    const svc = new UploadService(blobs, store, systemClock);
    const bytes = randomBytes(1000);
    const upload = await svc.start('r');
    await svc.append('r', upload.id, body(bytes));
    await expect(svc.complete('r', upload.id, sha(bytes, 'sha512'), body(new Uint8Array()))).resolves.toMatchObject({ size: 1000 });
  });

  it('rejects a wrong digest, creates no blob, and keeps the session usable', async () => {
    const svc = new UploadService(blobs, store, systemClock);
    const bytes = randomBytes(1000);
    const upload = await svc.start('r');
    await svc.append('r', upload.id, body(bytes));
    const err = await svc.complete('r', upload.id, sha(randomBytes(4)), body(new Uint8Array())).catch((e: unknown) => e);
    expect(isRegistryError(err) && err.code).toBe('DIGEST_INVALID');
    expect(await blobs.stat(sha(bytes))).toBeNull();
    await expect(svc.complete('r', upload.id, sha(bytes), body(new Uint8Array()))).resolves.toMatchObject({ size: 1000 });
  });

  it('refuses out-of-order chunks with 416 and leaves the session as it was', async () => {
    const svc = new UploadService(blobs, store, systemClock);
    const upload = await svc.start('r');
    await svc.append('r', upload.id, body(randomBytes(10), '0-9'));
    const err = await svc.append('r', upload.id, body(randomBytes(10), '0-9')).catch((e: unknown) => e);
    expect(isRegistryError(err) && [err.code, err.status]).toEqual(['BLOB_UPLOAD_INVALID', 416]);
    expect((await svc.status('r', upload.id)).size).toBe(10);
  });

  it('hides sessions from other repositories and after cancel', async () => {
    const svc = new UploadService(blobs, store, systemClock);
    const upload = await svc.start('r');
    await expect(svc.status('other', upload.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    await svc.cancel('r', upload.id);
    await expect(svc.status('r', upload.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
  });

  it('expires idle sessions and sweeps upload bytes no session owns', async () => {
    const svc = new UploadService(blobs, store, systemClock);
    const upload = await svc.start('r');
    await svc.append('r', upload.id, body(randomBytes(10)));
    const orphan = '123e4567-e89b-12d3-a456-426614174000';
    await blobs.appendUpload(orphan, 0, body(randomBytes(10)).source);
    expect(await svc.expire(new Date(Date.now() - 60_000))).toBe(0);
    expect(await blobs.listUploadsBefore(new Date(Date.now() + 60_000))).toEqual(expect.arrayContaining([upload.id, orphan]));
    expect(await svc.expire(new Date(Date.now() + 60_000))).toBe(1);
    await expect(svc.status('r', upload.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    expect(await blobs.listUploadsBefore(new Date(Date.now() + 60_000))).toEqual([]);
  });
});
