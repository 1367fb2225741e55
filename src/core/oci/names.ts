// Repository names, tags and references as the distribution spec defines them.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-manifests
import { RegistryError } from '../errors.js';
import { looksLikeDigest, parseDigest, type Digest } from './digest.js';

const NAME_GRAMMAR = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_GRAMMAR = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** Longest repository name accepted (clients cap host + "/" + name at 255). */
export const MAX_NAME_LENGTH = 255;

/** True when `name` is a valid repository name. */
export function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_GRAMMAR.test(name);
}

/** Throws NAME_INVALID unless `name` is a valid repository name. */
export function assertName(name: string): string {
  if (!isValidName(name)) {
    throw new RegistryError('NAME_INVALID', 'invalid repository name', { detail: { name: name.slice(0, MAX_NAME_LENGTH) } });
  }
  return name;
}

/** True when `tag` is a valid tag. */
export function isValidTag(tag: string): boolean {
  return TAG_GRAMMAR.test(tag);
}

/** A manifest reference: either a tag or a digest. */
export type Reference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: Digest };

/** Parses a manifest reference, throwing DIGEST_INVALID or MANIFEST_INVALID-free TAG_INVALID errors. */
export function parseReference(input: string): Reference {
  if (looksLikeDigest(input)) return { kind: 'digest', digest: parseDigest(input) };
  if (!isValidTag(input)) throw new RegistryError('TAG_INVALID', 'invalid tag', { detail: { tag: input.slice(0, 128) } });
  return { kind: 'tag', tag: input };
}
