// Parses the references the CLI takes: `<registry>/<repository>[:<tag>][@<digest>]`, e.g.
// `127.0.0.1:5050/llm/llama-3-8b:v1`. The first component is the registry host, as docker reads it.
import { isValidName, isValidTag } from '../../core/oci/names.js';
import { parseDigest } from '../../core/oci/digest.js';

/** A parsed image or model reference. */
export interface Reference {
  /** host[:port] of the registry. */
  registry: string;
  repository: string;
  tag?: string | undefined;
  digest?: string | undefined;
}

/** Parses `ref`; throws an Error that explains what is wrong. */
export function parseReference(ref: string, options: { requireTagOrDigest?: boolean } = {}): Reference {
  const input = ref.replace(/^(oci|docker):\/\//, '');
  const slash = input.indexOf('/');
  if (slash <= 0) throw new Error(`"${ref}" has no registry: write <registry>/<project>/<model>:<tag>, e.g. 127.0.0.1:5050/llm/llama:v1`);
  const registry = input.slice(0, slash);
  if (!/^[a-zA-Z0-9.-]+(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/.test(registry)) throw new Error(`"${registry}" is not a registry host[:port]`);
  let rest = input.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(digest);
    } catch {
      throw new Error(`"${digest}" is not a valid digest (sha256:<64 hex> or sha512:<128 hex>)`);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw new Error(`"${tag}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  if (!isValidName(rest)) throw new Error(`"${rest}" is not a valid repository name (lowercase letters, digits, separators . _ - and /)`);
  if (options.requireTagOrDigest && !tag && !digest) throw new Error(`"${ref}" needs a tag or digest, e.g. ${registry}/${rest}:v1`);
  return { registry, repository: rest, tag, digest };
}

/** The manifest reference part: the digest when given, else the tag, else `latest`. */
export function manifestRef(ref: Reference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** True when a registry host is spoken to over plain HTTP by default (loopback, as docker does). */
export function isLoopbackRegistry(registry: string): boolean {
  return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(registry);
}
