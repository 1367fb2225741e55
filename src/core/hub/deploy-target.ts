// What every cluster manifest Berth renders has in common: the exact model version it serves (repo
// id and commit id, as the Hub view shows them), where the cluster reaches Berth (HF_ENDPOINT), the
// Secret that holds a pull token, and Kubernetes-safe names derived from the model's name.
// ../shared/reference/kubeai-and-hf-hub-api.md sections 1.5 (env vars) and 4 (KServe hf://).
import { RegistryError } from '../errors.js';
import { isCommitId } from './hub-repo.js';

/** The model version a manifest serves, resolved by the Hub view. */
export interface DeployedVersion {
  /** Repo id `<project>/<model>`. */
  repository: string;
  /** The revision as the caller named it (tag, alias, `main` or a commit id). */
  revision: string;
  /** The 40-hex commit id clients pin to. */
  commit: string;
  /** The manifest digest behind the commit id. */
  digest: string;
  /** The commit `main` resolves to now; what a loader that cannot pin a revision will download. */
  defaultCommit: string;
  /** Whether pulling needs a token (a private project with access control on). */
  private: boolean;
}

/** Options shared by the KubeAI and KServe renderers. */
export interface DeployOptions {
  /** Berth's URL as pods reach it: becomes HF_ENDPOINT. */
  endpoint: string;
  /** metadata.name; default derived from the model name. */
  name?: string | undefined;
  namespace?: string | undefined;
  /** Name of a Secret whose `HF_TOKEN` key holds an `hf_`-prefixed Berth token; default `berth-<project>` for private projects, none for public ones. */
  secret?: string | undefined;
  minReplicas?: number | undefined;
  maxReplicas?: number | undefined;
}

/** A rendered manifest and what its reader should know about it. */
export interface Rendered<T> {
  manifest: T;
  warnings: string[];
}

/** Annotation keys Berth sets on what it renders. */
export const ANNOTATIONS = {
  repository: 'berth.dev/repository',
  revision: 'berth.dev/revision',
  commit: 'berth.dev/commit',
  digest: 'berth.dev/digest',
} as const;

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A DNS-1035 label of at most `max` characters for `repository`'s model: lowercase, `.`/`_` turned
 * into `-`, starting with a letter; names too long keep a hash of the repo id so they stay distinct.
 */
export function resourceNameFor(repository: string, max: number): string {
  const model = repository.slice(repository.lastIndexOf('/') + 1);
  let name = model.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `m-${name}`.replace(/-+$/, '');
  if (name.length <= max) return name;
  const suffix = fnv1a(repository).toString(16).padStart(8, '0').slice(0, 6);
  return `${name.slice(0, max - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/** Checks the options every renderer shares; throws INVALID with a message a person can act on. */
export function checkCommon(version: DeployedVersion, options: DeployOptions, maxName: number): { name: string; secret: string | undefined } {
  if (!isCommitId(version.commit)) throw new RegistryError('INVALID', `"${version.commit.slice(0, 64)}" is not a 40-hex commit id`);
  let endpoint: URL;
  try {
    endpoint = new URL(options.endpoint);
  } catch {
    throw new RegistryError('INVALID', `endpoint "${options.endpoint.slice(0, 200)}" is not a URL`);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new RegistryError('INVALID', 'endpoint must be an http:// or https:// URL');
  const name = options.name ?? resourceNameFor(version.repository, maxName);
  if (name.length > maxName || !DNS_LABEL.test(name)) {
    throw new RegistryError('INVALID', `name "${name.slice(0, 100)}" must be a DNS label (lowercase letters, digits, "-", starting with a letter) of at most ${maxName} characters`);
  }
  if (options.namespace !== undefined && (options.namespace.length > 63 || !NAMESPACE.test(options.namespace))) {
    throw new RegistryError('INVALID', `namespace "${options.namespace.slice(0, 100)}" is not a valid namespace name`);
  }
  const secret = options.secret ?? (version.private ? defaultSecretName(version.repository) : undefined);
  if (secret !== undefined && (secret.length > 253 || !SECRET_NAME.test(secret))) throw new RegistryError('INVALID', `secret "${secret.slice(0, 100)}" is not a valid Secret name`);
  for (const [key, value] of [['minReplicas', options.minReplicas], ['maxReplicas', options.maxReplicas]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < (key === 'maxReplicas' ? 1 : 0) || value > 2 ** 31 - 1)) {
      throw new RegistryError('INVALID', `${key} must be an integer ${key === 'maxReplicas' ? '>= 1' : '>= 0'}`);
    }
  }
  if (options.minReplicas !== undefined && options.maxReplicas !== undefined && options.minReplicas > options.maxReplicas) {
    throw new RegistryError('INVALID', 'minReplicas must be less than or equal to maxReplicas');
  }
  return { name, secret };
}

/** The default Secret name for a project's pull token: `berth-<project>`. */
export function defaultSecretName(repository: string): string {
  const project = repository.slice(0, repository.indexOf('/'));
  return `berth-${project.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/-+/g, '-')}`.slice(0, 253).replace(/[-.]+$/, '');
}

/** Warnings about the endpoint pods will be given. */
export function endpointWarnings(endpoint: string): string[] {
  const host = new URL(endpoint).hostname;
  if (host === 'localhost' || host === '[::1]' || /^127\./.test(host)) {
    return [`HF_ENDPOINT is ${endpoint}, a loopback address pods cannot reach; set Berth's external URL (BERTH_EXTERNAL_URL) or pass an endpoint`];
  }
  return [];
}

/** The annotations that say which version a manifest serves. */
export function versionAnnotations(version: DeployedVersion): Record<string, string> {
  return {
    [ANNOTATIONS.repository]: version.repository,
    [ANNOTATIONS.revision]: version.revision,
    [ANNOTATIONS.commit]: version.commit,
    [ANNOTATIONS.digest]: version.digest,
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
