// A minimal OCI distribution client over fetch, shared by black-box tests: push blobs and manifests,
// build small image and artifact manifests. Deliberately plain so failures point at the server.
import { createHash } from 'node:crypto';

/** `<alg>:<hex>` digest of bytes. */
export function digestOf(bytes: Uint8Array | string, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A descriptor for `bytes` with `mediaType`. */
export function descriptorOf(bytes: Uint8Array | string, mediaType: string, extra: Record<string, unknown> = {}) {
  return { mediaType, digest: digestOf(bytes), size: Buffer.byteLength(bytes), ...extra };
}

/** Resolves a Location header against the registry URL. */
export function absolute(base: string, location: string): string {
  return new URL(location, base).toString();
}

/** Pushes a blob with POST then PUT (monolithic); returns its digest. Throws on any unexpected status. */
export async function pushBlob(base: string, repo: string, bytes: Uint8Array | string, algorithm: 'sha256' | 'sha512' = 'sha256'): Promise<string> {
  const digest = digestOf(bytes, algorithm);
  const post = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (post.status !== 202) throw new Error(`POST upload: ${post.status} ${await post.text()}`);
  const location = absolute(base, post.headers.get('location')!);
  const sep = location.includes('?') ? '&' : '?';
  const put = await fetch(`${location}${sep}digest=${encodeURIComponent(digest)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${await put.text()}`);
  return digest;
}

/** Pushes a manifest under `reference`; returns the response. */
export async function putManifest(base: string, repo: string, reference: string, manifest: object | string, mediaType?: string): Promise<Response> {
  const body = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
  const type = mediaType ?? (typeof manifest === 'object' && 'mediaType' in manifest ? String(manifest.mediaType) : 'application/vnd.oci.image.manifest.v1+json');
  return fetch(`${base}/v2/${repo}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': type }, body });
}

/** Pushes a small OCI image (config + layers given as strings) and tags it; returns manifest bytes and digest. */
export async function pushImage(base: string, repo: string, tag: string, layers: string[] = ['layer'], extra: Record<string, unknown> = {}) {
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  await pushBlob(base, repo, config);
  for (const layer of layers) await pushBlob(base, repo, layer);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: descriptorOf(config, 'application/vnd.oci.image.config.v1+json'),
    layers: layers.map((l) => descriptorOf(l, 'application/vnd.oci.image.layer.v1.tar')),
    ...extra,
  };
  const bytes = JSON.stringify(manifest);
  const res = await putManifest(base, repo, tag, bytes, manifest.mediaType);
  if (res.status !== 201) throw new Error(`PUT manifest: ${res.status} ${await res.text()}`);
  return { bytes, digest: digestOf(bytes), manifest };
}

/** The OCI error codes in a response body (empty when the body is not an OCI error envelope). */
export async function errorCodes(res: Response): Promise<string[]> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code: string }> };
    return (body.errors ?? []).map((e) => e.code);
  } catch {
    return [];
  }
}
