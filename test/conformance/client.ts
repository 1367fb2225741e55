// The conformance suite's HTTP client: plain fetch against one registry, where every 4xx response is
// checked against the OCI error envelope before a check sees it, plus the assertions checks share.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import { absolute, descriptorOf, digestOf, pushBlob } from '../support/oci-client.js';

/** The codes the spec allows in an error body (code-1 .. code-14). */
export const SPEC_ERROR_CODES: readonly string[] = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
];

/** Legacy Docker codes the spec says clients MAY encounter ("Legacy Docker support error codes"). */
export const LEGACY_ERROR_CODES: readonly string[] = ['TAG_INVALID', 'MANIFEST_UNVERIFIED'];

/** Media types the checks push. */
export const Types = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** The manifest types a pulling client accepts. */
const ACCEPT_MANIFESTS = [Types.ociManifest, Types.ociIndex, Types.dockerManifest, Types.dockerList].join(', ');

/** The image-spec empty JSON blob `{}` and its well-known digest. */
export const EMPTY_JSON = '{}';
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** A response as the client saw it (raw requests have no fetch Response). */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Request options. */
export interface RequestInit {
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** A client bound to one registry. */
export class OciClient {
  constructor(
    readonly base: string,
    /** When true every 4xx body must be an OCI envelope; otherwise only JSON bodies are checked. */
    private readonly strictErrors: boolean,
  ) {}

  /** A fresh repository name, so checks never share state. */
  repo(label: string): string {
    return `conformance/${label}-${randomBytes(5).toString('hex')}`;
  }

  /** An absolute URL for a path or a Location header. */
  url(pathOrLocation: string): string {
    return absolute(this.base, pathOrLocation);
  }

  /**
   * Sends a request; 4xx answers are checked against the error envelope. Redirects are not followed.
   * Manifest GETs and HEADs carry the Accept header real clients send, unless the check sets its own.
   */
  async request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = { ...(/\/manifests\//.test(path) && method !== 'PUT' ? { accept: ACCEPT_MANIFESTS } : {}), ...init.headers };
    const res = await fetch(this.url(path), { method, headers, body: init.body, redirect: 'manual' });
    if (res.status >= 400 && res.status < 500 && method !== 'HEAD') {
      this.checkErrorBody(`${method} ${path}`, res.status, res.headers.get('content-type'), await res.clone().text());
    }
    return res;
  }

  /** Sends a request with the path exactly as given (fetch would normalise `..` segments away). */
  async raw(method: string, path: string): Promise<RawResponse> {
    const { hostname, port } = new URL(this.base);
    const res = await new Promise<RawResponse>((resolve, reject) => {
      const req = httpRequest({ host: hostname, port, method, path, headers: { 'content-length': '0' } }, (r) => {
        let body = '';
        r.setEncoding('utf8').on('data', (d: string) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
      });
      req.once('error', reject).end();
    });
    const type = res.headers['content-type'];
    if (res.status >= 400 && res.status < 500) this.checkErrorBody(`${method} ${path}`, res.status, typeof type === 'string' ? type : null, res.body);
    return res;
  }

  /** Opens an upload session (POST, end-4a) and returns its absolute Location. */
  async startUpload(repo: string): Promise<string> {
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': '0' } });
    await expectStatus(res, 202);
    const location = res.headers.get('location');
    expect(location, 'POST upload must answer with a Location').toBeTruthy();
    return this.url(location!);
  }

  /** Pushes a blob monolithically with the shared test client. */
  pushBlob(repo: string, bytes: string | Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): Promise<string> {
    return pushBlob(this.base, repo, bytes, algorithm);
  }

  /** Pushes manifest bytes under `reference` with `contentType`. */
  putManifest(repo: string, reference: string, bytes: string, contentType: string): Promise<Response> {
    return this.request('PUT', `/v2/${repo}/manifests/${reference}`, { headers: { 'content-type': contentType }, body: bytes });
  }

  /**
   * Pushes an artifact manifest (empty config, one small layer) under `reference` (its digest when
   * omitted) and returns its bytes and digest. `fields` are merged into the manifest.
   */
  async pushArtifact(repo: string, fields: Record<string, unknown>, reference?: string): Promise<{ bytes: string; digest: string }> {
    await this.pushBlob(repo, EMPTY_JSON);
    const layer = `layer of ${JSON.stringify(fields)}`;
    await this.pushBlob(repo, layer);
    const manifest = {
      schemaVersion: 2,
      mediaType: Types.ociManifest,
      config: { mediaType: Types.ociEmpty, digest: EMPTY_JSON_DIGEST, size: 2 },
      layers: [descriptorOf(layer, 'application/vnd.berth.conformance.layer')],
      ...fields,
    };
    const bytes = JSON.stringify(manifest);
    const digest = digestOf(bytes);
    const res = await this.putManifest(repo, reference ?? digest, bytes, Types.ociManifest);
    await expectStatus(res, 201);
    return { bytes, digest };
  }

  /** Follows `Link: <...>; rel="next"` from `path`, returning every page's parsed body. */
  async pages<T>(path: string, maxPages = 100): Promise<{ bodies: T[]; links: number }> {
    const bodies: T[] = [];
    let next: string | undefined = path;
    let links = 0;
    while (next !== undefined && bodies.length < maxPages) {
      const res = await this.request('GET', next);
      await expectStatus(res, 200);
      bodies.push((await res.json()) as T);
      next = nextLink(res);
      if (next !== undefined) links++;
    }
    return { bodies, links };
  }

  private checkErrorBody(what: string, status: number, contentType: string | null, body: string): void {
    const looksJson = (contentType ?? '').includes('json') || body.trimStart().startsWith('{');
    if (!this.strictErrors && !looksJson) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      expect.fail(`${what} -> ${status}: the body is not the OCI error envelope: ${body.slice(0, 200)}`);
    }
    const errors = (parsed as { errors?: unknown }).errors;
    expect(Array.isArray(errors) && errors.length > 0, `${what} -> ${status}: body has no "errors" array: ${body.slice(0, 200)}`).toBe(true);
    for (const e of errors as Array<Record<string, unknown>>) {
      expect([...SPEC_ERROR_CODES, ...LEGACY_ERROR_CODES], `${what} -> ${status}: "${String(e.code)}" is not a spec error code`).toContain(e.code);
      if (e.message !== undefined) expect(typeof e.message, `${what}: message must be a string`).toBe('string');
    }
  }
}

/** Asserts the status, showing the body when it is not one of `statuses`. */
export async function expectStatus(res: Response, ...statuses: number[]): Promise<void> {
  if (statuses.includes(res.status)) return;
  const body = await res.clone().text();
  expect.fail(`${res.url}: expected ${statuses.join(' or ')}, got ${res.status}: ${body.slice(0, 300)}`);
}

/**
 * Asserts an error answer: `outcomes` maps each acceptable status to the codes one of which the body
 * must carry (an empty list accepts any body, as for a router's plain 404).
 */
export async function expectError(res: Response | RawResponse, outcomes: Record<number, readonly string[]>): Promise<void> {
  const body = res instanceof Response ? await res.clone().text() : res.body;
  const allowed = outcomes[res.status];
  if (allowed === undefined) expect.fail(`expected ${Object.keys(outcomes).join(' or ')}, got ${res.status}: ${body.slice(0, 300)}`);
  if (allowed.length === 0) return;
  const codes = errorCodesOf(body);
  expect(
    codes.some((c) => allowed.includes(c)),
    `${res.status}: expected one of ${allowed.join(', ')} in ${body.slice(0, 300)}`,
  ).toBe(true);
}

/** The error codes of an OCI error body (empty when it is not one). */
export function errorCodesOf(body: string): string[] {
  try {
    return ((JSON.parse(body) as { errors?: Array<{ code: string }> }).errors ?? []).map((e) => e.code);
  } catch {
    return [];
  }
}

/** The target of a `Link: <url>; rel="next"` header, if any. */
export function nextLink(res: Response): string | undefined {
  const link = res.headers.get('link');
  if (!link) return undefined;
  const match = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
  return match ? match[1] : undefined;
}

/** `location` with extra query parameters, keeping the ones the registry put there. */
export function withQuery(location: string, params: Record<string, string>): string {
  return `${location}${location.includes('?') ? '&' : '?'}${new URLSearchParams(params).toString()}`;
}

/** Deterministic pseudo-random bytes, so a failing check is reproducible. */
export function bytesOf(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A response body as bytes. */
export async function bodyBytes(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}
