// `oci://` URIs of model artifacts: `oci://<host>/<repository>@sha256:...` or `...:<tag>`, as KServe
// and the Kubeflow Python client write them, and how to tell whether one names this Berth.
// https://kserve.github.io/website/latest/modelserving/storage/oci/
import { isValidName, parseReference } from '../oci/names.js';

/** A parsed `oci://` URI. */
export interface OciUri {
  host: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
}

/** Parses an `oci://` URI; null when `uri` is not one, or is malformed. */
export function parseOciUri(uri: string): OciUri | null {
  const m = /^oci:\/\/([^/\s]+)\/([^\s@]+?)(?:@([a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+)|:([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(uri);
  if (!m) return null;
  const repository = m[2]!;
  if (!isValidName(repository)) return null;
  const reference = m[3] ?? m[4] ?? 'latest';
  try {
    parseReference(reference);
  } catch {
    return null;
  }
  return { host: m[1]!.toLowerCase(), repository, reference };
}

/** The URI of a manifest in this Berth. */
export function formatOciUri(host: string, repository: string, digest: string): string {
  return `oci://${host}/${repository}@${digest}`;
}

/** Host names that mean this server: `host:port` as configured, plus loopback spellings of the same port. */
export function localHosts(configured: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const h of configured) {
    const host = h.toLowerCase();
    out.add(host);
    const port = /:(\d+)$/.exec(host)?.[1];
    const name = port ? host.slice(0, -(port.length + 1)) : host;
    if (port && ['127.0.0.1', 'localhost', '0.0.0.0', '[::]', '[::1]', '::'].includes(name)) {
      for (const alias of ['127.0.0.1', 'localhost', '[::1]']) out.add(`${alias}:${port}`);
    }
  }
  return out;
}
