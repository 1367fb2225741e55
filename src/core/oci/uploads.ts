// Blob upload sessions: monolithic, streamed and chunked pushes, status, cancel and cross-repository
// mounts. Session state lives in the RegistryStore and the BlobStore, so a Location stays valid after
// later PATCHes, across restarts and across replicas. Each acknowledged chunk saves the state of the
// session's running digest and the version of its stored bytes in the same compare-and-set as its size
// (resumable-digest.ts), so whichever replica gets the next chunk or the commit continues the digest
// instead of reading the upload back; only sessions without a saved state are re-hashed at commit.
// On the filesystem, where reading an upload back is cheap, app.ts turns the saving off: hashing once
// at commit with node:crypto costs less than hashing every chunk resumably (bench/upload-hash-state.ts).
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-blobs
import { randomUUID } from 'node:crypto';
import { RegistryError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { RegistryStore, UploadRecord } from '../ports/registry-store.js';
import { createDigester, isDigestAlgorithm, parseDigest, type DigestAlgorithm } from './digest.js';
import { fastDigest, resumableDigest, type RunningDigest } from './resumable-digest.js';
import { claimBlobForCommit } from './garbage-collector.js';
import { KeyedMutex } from './keyed-mutex.js';
import { assertName } from './names.js';
import { parseUploadContentRange } from './range.js';

/** The body of a PATCH or PUT, with what its headers declared. */
export interface UploadBody {
  source: AsyncIterable<Uint8Array>;
  /** True when the request carries a body at all. */
  present: boolean;
  contentLength?: number | undefined;
  contentRange?: string | undefined;
}

/** A committed blob. */
export interface CommittedBlob {
  digest: string;
  size: number;
}

/** How many repositories holding a blob are considered for a mount without `from`. */
const MOUNT_CANDIDATES = 50;

/** Runs the upload protocol on top of the BlobStore and RegistryStore ports. */
export class UploadService {
  private readonly mutex = new KeyedMutex();

  private readonly saveDigestState: boolean;

  /**
   * `saveDigestState: false` (for a store that streams an upload back cheaply, the filesystem) hashes
   * nothing while chunks arrive and re-hashes the upload once at commit, with node:crypto.
   */
  constructor(
    private readonly blobs: BlobStore,
    private readonly store: RegistryStore,
    private readonly clock: Clock,
    options: { saveDigestState?: boolean } = {},
  ) {
    this.saveDigestState = options.saveDigestState ?? true;
  }

  /** Opens a new session (POST). `algorithm` comes from the `digest-algorithm` query parameter. */
  async start(repository: string, algorithm = 'sha256'): Promise<UploadRecord> {
    assertName(repository);
    if (!isDigestAlgorithm(algorithm)) throw new RegistryError('DIGEST_INVALID', `unsupported digest algorithm "${algorithm.slice(0, 32)}"`);
    const now = this.clock.now();
    const upload: UploadRecord = { id: randomUUID(), repository, size: 0, algorithm, createdAt: now, updatedAt: now, hashState: null, blobVersion: null };
    await this.blobs.createUpload(upload.id);
    await this.store.createUpload(upload);
    return upload;
  }

  /** The session's current state (GET on the Location). */
  async status(repository: string, id: string): Promise<UploadRecord> {
    return this.load(repository, id);
  }

  /** Appends a chunk (PATCH), streamed or with a Content-Range that must continue the upload. */
  async append(repository: string, id: string, body: UploadBody): Promise<UploadRecord> {
    return this.mutex.run(id, async () => {
      const upload = await this.load(repository, id);
      return (await this.write(upload, body)).upload;
    });
  }

  /** Closes a session (PUT ?digest=), with an optional last chunk, verifying the digest. */
  async complete(repository: string, id: string, digest: string, body: UploadBody): Promise<CommittedBlob> {
    const expected = parseDigest(digest);
    return this.mutex.run(id, async () => {
      let upload = await this.load(repository, id);
      // A last chunk sent with the PUT is not acknowledged on its own: commitUpload makes it durable.
      let running: RunningDigest | null | undefined;
      if (body.present) ({ upload, running } = await this.write(upload, body, false));
      const installed = running === undefined && (await this.installedByEarlierAttempt(upload, expected.value));
      let recorded = true;
      if (!installed) {
        const actual = await this.finalHash(upload, expected.algorithm, running);
        if (actual !== expected.value) {
          throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', {
            detail: { expected: expected.value, actual },
          });
        }
        // A blob the index knows is claimed before its bytes are committed, so GC leaves them alone.
        // New content (the common case) needs no claim write: GC never touches a digest without a
        // record, and the bytes are checked once finishUpload has made the record live.
        recorded = await this.store.hasBlobRecord(expected.value);
        if (recorded) await claimBlobForCommit(this.store, this.clock, expected.value, upload.size);
        await this.blobs.commitUpload(upload.id, upload.size, expected.value, upload.blobVersion);
      } else {
        await claimBlobForCommit(this.store, this.clock, expected.value, upload.size);
        if ((await this.blobs.stat(expected.value)) !== upload.size) {
          throw new RegistryError('BLOB_UPLOAD_INVALID', 'the blob of this upload was garbage-collected before it was linked; push it again');
        }
      }
      // One transaction ends the session and links the blob, so they never disagree after a crash.
      await this.store.finishUpload(upload.id, repository, expected.value, upload.size);
      if (!recorded && !(await this.bytesPresent(expected.value, upload.size))) {
        // A record appeared and was swept, bytes and all, while this commit ran (slower than the grace window).
        await this.store.unlinkBlob(repository, expected.value);
        throw new RegistryError('UNAVAILABLE', 'the blob was garbage-collected while it was being committed; push it again', { detail: { digest: expected.value } });
      }
      await this.blobs.deleteUpload(upload.id);
      return { digest: expected.value, size: upload.size };
    });
  }

  /**
   * True when the committed blob `digest` has `size` bytes. Asked again for a moment before saying no:
   * another replica committing the same content may be overwriting the object right now, which some
   * S3 servers (s3rver) show as absent, short or failing while it happens.
   */
  private async bytesPresent(digest: string, size: number): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const last = attempt === 5;
      try {
        if ((await this.blobs.stat(digest)) === size) return true;
        if (last) return false;
      } catch (err) {
        if (last) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }

  /** Pushes a whole blob in one request (POST ?digest=). */
  async putWhole(repository: string, digest: string, body: UploadBody): Promise<CommittedBlob> {
    const expected = parseDigest(digest);
    const upload = await this.start(repository, expected.algorithm);
    try {
      return await this.complete(repository, upload.id, digest, body);
    } catch (err) {
      await this.cancel(repository, upload.id).catch(() => undefined);
      throw err;
    }
  }

  /** Abandons a session (DELETE on the Location). */
  async cancel(repository: string, id: string): Promise<void> {
    await this.mutex.run(id, async () => {
      await this.load(repository, id);
      await this.store.deleteUpload(id);
      await this.blobs.deleteUpload(id);
    });
  }

  /**
   * Links an existing blob into `repository` (POST ?mount=). With `from`, the blob must be in that
   * repository; without it, in any repository the caller may read. Returns null when nothing can be
   * mounted, and the caller starts a normal upload instead.
   */
  async mount(repository: string, digest: string, from: string | undefined, canRead: (repository: string) => Promise<boolean>): Promise<CommittedBlob | null> {
    assertName(repository);
    const parsed = parseDigest(digest);
    let size: number | undefined;
    if (from !== undefined && from !== '') {
      assertName(from);
      if (await canRead(from)) size = (await this.store.getLinkedBlob(from, parsed.value))?.size;
    } else {
      for (const link of await this.store.findBlobLinks(parsed.value, MOUNT_CANDIDATES)) {
        if (await canRead(link.repository)) {
          size = link.size;
          break;
        }
      }
    }
    // Linking is refused while garbage collection sweeps the blob; once linked, its bytes stay, if still there.
    if (size === undefined || !(await this.store.linkBlob(repository, parsed.value, size))) return null;
    if ((await this.blobs.stat(parsed.value)) === null) {
      await this.store.unlinkBlob(repository, parsed.value);
      return null;
    }
    return { digest: parsed.value, size };
  }

  /**
   * Removes sessions idle since before `cutoff`, and upload bytes older than that which no session
   * owns (left by a crash between a commit's steps); returns how many sessions were removed.
   */
  async expire(cutoff: Date): Promise<number> {
    const stale = await this.store.listStaleUploads(cutoff);
    for (const upload of stale) {
      await this.mutex.run(upload.id, async () => {
        await this.store.deleteUpload(upload.id);
        await this.blobs.deleteUpload(upload.id);
      });
    }
    for (const id of await this.blobs.listUploadsBefore(cutoff)) {
      await this.mutex.run(id, async () => {
        if (!(await this.store.getUpload(id))) await this.blobs.deleteUpload(id);
      });
    }
    return stale.length;
  }

  private async load(repository: string, id: string): Promise<UploadRecord> {
    assertName(repository);
    const upload = /^[0-9a-f-]{36}$/.test(id) ? await this.store.getUpload(id) : null;
    if (!upload || upload.repository !== repository) {
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { detail: { session: id.slice(0, 64) } });
    }
    return upload;
  }

  /**
   * True when an earlier attempt to complete this session crashed after installing the blob but
   * before ending the session: the session's bytes are gone (moved into place) and the verified blob
   * of the expected digest and size is there. Only then is the blob linked without hashing again.
   */
  private async installedByEarlierAttempt(upload: UploadRecord, digest: string): Promise<boolean> {
    if (upload.size === 0 || upload.hashState) return false;
    if ((await this.blobs.stat(digest)) !== upload.size) return false;
    return !(await this.blobs.uploadExists(upload.id));
  }

  /**
   * Appends a chunk; acknowledged, it moves the size, digest state and layout version in one
   * compare-and-set. Returns the digest running over the new size (null when none can continue).
   */
  private async write(upload: UploadRecord, body: UploadBody, acknowledge = true): Promise<{ upload: UploadRecord; running: RunningDigest | null }> {
    if (body.contentRange !== undefined) {
      const range = parseUploadContentRange(body.contentRange);
      if (range.start !== upload.size) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', `chunk out of order: upload is at ${upload.size}, chunk starts at ${range.start}`, {
          status: 416,
          detail: { size: upload.size },
        });
      }
      const length = range.end - range.start + 1;
      if (body.contentLength !== undefined && body.contentLength !== length) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', 'Content-Range does not match Content-Length', { status: 416 });
      }
      body = { ...body, contentLength: length };
    }
    if (!body.present) return { upload, running: null };

    const running = await this.runningDigest(upload, acknowledge);
    let received = 0;
    const counted = async function* (source: AsyncIterable<Uint8Array>) {
      for await (const chunk of source) {
        received += chunk.byteLength;
        running?.update(chunk);
        yield chunk;
      }
    };
    const blobVersion = randomUUID();
    const newSize = await this.blobs.appendUpload(upload.id, upload.size, counted(body.source), {
      sync: acknowledge,
      version: upload.blobVersion ?? null,
      newVersion: blobVersion,
    });
    if (body.contentLength !== undefined && received !== body.contentLength) {
      throw new RegistryError('SIZE_INVALID', `received ${received} bytes, expected ${body.contentLength}`);
    }
    const now = this.clock.now();
    const hashState = running?.save() ?? null;
    const next: UploadRecord = { ...upload, size: newSize, updatedAt: now, hashState, blobVersion };
    if (!acknowledge) return { upload: next, running };
    if (!(await this.store.setUploadSize(upload.id, upload.size, newSize, now, { hashState, blobVersion }))) {
      throw new RegistryError('BLOB_UPLOAD_INVALID', 'upload was changed concurrently', { status: 416 });
    }
    return { upload: next, running };
  }

  /**
   * The digest over the acknowledged bytes, ready to continue: resumed from the saved state, or fresh
   * for an empty session (node:crypto's when nothing needs saving). Null when it cannot be resumed, or
   * for an acknowledged chunk when states are not saved.
   */
  private async runningDigest(upload: UploadRecord, acknowledged: boolean): Promise<RunningDigest | null> {
    if (acknowledged && !this.saveDigestState) return null;
    if (upload.size === 0) return acknowledged ? resumableDigest(upload.algorithm) : fastDigest(upload.algorithm);
    return upload.hashState ? resumableDigest(upload.algorithm, upload.hashState) : null;
  }

  /** The digest of the upload: from the running digest when it is of `algorithm`, else read back. */
  private async finalHash(upload: UploadRecord, algorithm: DigestAlgorithm, running?: RunningDigest | null): Promise<string> {
    if (algorithm === upload.algorithm) {
      const digest = running === undefined ? await this.runningDigest(upload, false) : running;
      if (digest) return digest.digest();
    }
    const hash = createDigester(algorithm);
    for await (const chunk of await this.blobs.readUpload(upload.id, upload.size, upload.blobVersion)) hash.update(chunk as Uint8Array);
    return `${algorithm}:${hash.digest('hex')}`;
  }
}
