// Running digests of upload sessions. After each acknowledged chunk the internal state of the
// session's digest is saved with the session (hash-wasm's save()/load() of its SHA-256/512), so any
// replica, or this one after a restart, goes on hashing where the last chunk ended instead of
// reading the upload back. Bytes nobody acknowledges on their own (a monolithic push, the body of a
// closing PUT on an empty session) are hashed by node:crypto, which is about 3x faster but cannot
// save its state. bench/upload-hash-state.ts measures both.
import { createHash, type Hash } from 'node:crypto';
import { createSHA256, createSHA512, type IHasher } from 'hash-wasm';
import type { DigestAlgorithm } from './digest.js';

/** An incremental digest over an upload's bytes. */
export interface RunningDigest {
  update(chunk: Uint8Array): void;
  /** The state to resume from, or null for a digest that cannot be resumed. */
  save(): Uint8Array | null;
  /** The `<algorithm>:<hex>` digest of everything so far; ends the digest. */
  digest(): string;
}

/**
 * A resumable digest of `algorithm`, continuing from a saved `state` when one is given; null when
 * that state is not one this build can load (then the caller reads the bytes back instead).
 */
export async function resumableDigest(algorithm: DigestAlgorithm, state?: Uint8Array | null): Promise<RunningDigest | null> {
  const hasher: IHasher = algorithm === 'sha256' ? await createSHA256() : await createSHA512();
  hasher.init();
  if (state) {
    try {
      hasher.load(state);
    } catch {
      return null;
    }
  }
  return {
    update: (chunk) => void hasher.update(chunk),
    save: () => hasher.save(),
    digest: () => `${algorithm}:${hasher.digest('hex')}`,
  };
}

/** A digest of `algorithm` from the first byte that cannot be saved, for bytes hashed in one request. */
export function fastDigest(algorithm: DigestAlgorithm): RunningDigest {
  const hash: Hash = createHash(algorithm);
  return {
    update: (chunk) => void hash.update(chunk),
    save: () => null,
    digest: () => `${algorithm}:${hash.digest('hex')}`,
  };
}
