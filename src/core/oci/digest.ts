// Content digests: parsing, validation and streaming hashing for the algorithms Berth accepts.
// Grammar: https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests
import { createHash, type Hash } from 'node:crypto';
import { RegistryError } from '../errors.js';

/** Digest algorithms Berth can verify, with the length of their hex encoding. */
export const DIGEST_ALGORITHMS = { sha256: 64, sha512: 128 } as const;

/** A digest algorithm Berth verifies. */
export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS;

/** A parsed, validated digest. */
export interface Digest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  /** The canonical `<algorithm>:<hex>` string. */
  readonly value: string;
}

const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** True when `alg` names an algorithm Berth verifies. */
export function isDigestAlgorithm(alg: string): alg is DigestAlgorithm {
  return Object.hasOwn(DIGEST_ALGORITHMS, alg);
}

/** Parses a digest string, throwing DIGEST_INVALID for bad grammar, unknown algorithms or bad encodings. */
export function parseDigest(input: string): Digest {
  if (!DIGEST_GRAMMAR.test(input)) throw new RegistryError('DIGEST_INVALID', `invalid digest "${truncate(input)}"`);
  const colon = input.indexOf(':');
  const algorithm = input.slice(0, colon);
  const hex = input.slice(colon + 1);
  if (!isDigestAlgorithm(algorithm)) {
    throw new RegistryError('DIGEST_INVALID', `unsupported digest algorithm "${truncate(algorithm)}"`);
  }
  if (hex.length !== DIGEST_ALGORITHMS[algorithm] || !/^[0-9a-f]+$/.test(hex)) {
    throw new RegistryError('DIGEST_INVALID', `invalid ${algorithm} digest encoding`);
  }
  return { algorithm, hex, value: input };
}

/** True when `input` looks like a digest (has an algorithm prefix), whether or not it is valid. */
export function looksLikeDigest(input: string): boolean {
  return input.includes(':');
}

/** A new incremental hash for `algorithm`. */
export function createDigester(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

/** The digest of a complete byte array. */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}
