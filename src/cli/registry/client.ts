// A small OCI Distribution client for the CLI: any registry (Berth, distribution, Harbor, zot), plain
// HTTP for loopback hosts, Basic or Bearer token auth negotiated from 401 challenges, and the blob,
// upload and manifest calls that push and pull need.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md
import { basicHeader, fetchToken, parseChallenge, type Challenge, type ClientCredentials } from './auth.js';
import { send, type HttpResponse, type RequestBody } from './transport.js';

/** Manifest media types the CLI accepts, in preference order. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** An error from a registry, with its OCI error code when there was one. */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A request's body, recreated for each attempt (a retry after a 401 re-sends it). */
export type BodyFactory = () => RequestBody | undefined;

interface RequestOptions {
  scopes: string[];
  headers?: Record<string, string>;
  body?: BodyFactory;
  /** Statuses that are answers, not errors. */
  ok?: number[];
}

/** A fetched manifest. */
export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string | undefined;
}

/** A client for one registry. */
export class RegistryClient {
  readonly baseUrl: string;
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();
  private challenge: Challenge | undefined;

  constructor(
    readonly registry: string,
    private readonly credentials: ClientCredentials,
    plainHttp: boolean,
  ) {
    this.baseUrl = `${plainHttp ? 'http' : 'https'}://${registry}`;
  }

  /** Size of a blob in `repository`, or null when absent. */
  async blobSize(repository: string, digest: string): Promise<number | null> {
    const res = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { scopes: [pull(repository)], ok: [200, 404] });
    res.discard();
    return res.status === 200 ? Number(res.headers.get('content-length')) : null;
  }

  /** A blob's bytes from `start` on. */
  async getBlob(repository: string, digest: string, start = 0): Promise<HttpResponse> {
    const headers: Record<string, string> = start > 0 ? { range: `bytes=${start}-` } : {};
    return this.request('GET', `/v2/${repository}/blobs/${digest}`, { scopes: [pull(repository)], headers, ok: [200, 206] });
  }

  /** Opens an upload, first offering to mount `digest` (from any repository the registry picks). */
  async startUpload(repository: string, mountDigest?: string): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const query = mountDigest ? `?mount=${encodeURIComponent(mountDigest)}` : '';
    const res = await this.request('POST', `/v2/${repository}/blobs/uploads/${query}`, { scopes: [push(repository)], ok: [201, 202] });
    res.discard();
    if (res.status === 201) return { mounted: true };
    return { mounted: false, location: this.location(res) };
  }

  /** Bytes an upload session holds, or null when the session is gone. */
  async uploadOffset(repository: string, location: string): Promise<number | null> {
    const res = await this.request('GET', location, { scopes: [push(repository)], ok: [204, 404, 400] });
    res.discard();
    if (res.status !== 204) return null;
    const range = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get('range') ?? '');
    return range ? Number(range[1]) + 1 : 0;
  }

  /** Sends one chunk at `offset`; returns the next Location. */
  async patchChunk(repository: string, location: string, offset: number, length: number, body: BodyFactory): Promise<string> {
    const headers = { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + length - 1}` };
    const res = await this.request('PATCH', location, { scopes: [push(repository)], headers, body, ok: [202] });
    res.discard();
    return this.location(res);
  }

  /** Closes an upload with its digest, optionally sending the whole blob in this request. */
  async finishUpload(repository: string, location: string, digest: string, body?: BodyFactory): Promise<void> {
    const url = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
    (await this.request('PUT', url, { scopes: [push(repository)], headers: { 'content-type': 'application/octet-stream' }, body, ok: [201] })).discard();
  }

  /** A manifest by tag or digest. */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const res = await this.request('GET', `/v2/${repository}/manifests/${reference}`, { scopes: [pull(repository)], headers: { accept: MANIFEST_ACCEPT }, ok: [200] });
    const bytes = await res.buffer();
    return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(), digest: res.headers.get('docker-content-digest') ?? undefined };
  }

  /** Pushes manifest bytes under a tag or digest; returns the digest the registry reports. */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string | undefined> {
    const res = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, { scopes: [push(repository)], headers: { 'content-type': mediaType }, body: () => bytes, ok: [201] });
    res.discard();
    return res.headers.get('docker-content-digest') ?? undefined;
  }

  /** Deletes a manifest by digest, or a tag. */
  async deleteManifest(repository: string, reference: string): Promise<void> {
    (await this.request('DELETE', `/v2/${repository}/manifests/${reference}`, { scopes: [`repository:${repository}:delete`], ok: [202] })).discard();
  }

  /** All tags of a repository (following Link pages). */
  async listTags(repository: string): Promise<string[]> {
    return this.paged(`/v2/${repository}/tags/list?n=1000`, [pull(repository)], (b) => (b as { tags?: string[] | null }).tags ?? []);
  }

  /** All repositories the caller can see (following Link pages). */
  async catalog(): Promise<string[]> {
    return this.paged('/v2/_catalog?n=1000', ['registry:catalog:*'], (b) => (b as { repositories?: string[] }).repositories ?? []);
  }

  private async paged(first: string, scopes: string[], items: (body: unknown) => string[]): Promise<string[]> {
    const out: string[] = [];
    let next: string | undefined = first;
    while (next) {
      const res = await this.request('GET', next, { scopes, ok: [200] });
      out.push(...items(await res.json()));
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
      next = link ? link[1] : undefined;
    }
    return out;
  }

  /** Sends a request, answering one 401 challenge with Basic or a Bearer token, then checking the status. */
  async request(method: string, pathOrUrl: string, options: RequestOptions): Promise<HttpResponse> {
    const url = new URL(pathOrUrl, this.baseUrl).toString();
    const key = options.scopes.join(' ');
    const cached = this.tokens.get(key);
    if (this.challenge?.scheme === 'bearer' && (!cached || cached.renewAt <= Date.now())) {
      this.tokens.set(key, await this.newToken(this.challenge, options.scopes));
    }
    let res = await this.send(method, url, options, this.authorization(key));
    if (res.status === 401) {
      res.discard();
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      if (!challenge) throw new RegistryHttpError(401, 'UNAUTHORIZED', `${this.registry} refused the request and offered no way to authenticate`);
      this.challenge = challenge;
      const scopes = [...new Set([...options.scopes, ...(challenge.params.scope ? [challenge.params.scope] : [])])];
      if (challenge.scheme === 'bearer') this.tokens.set(key, await this.newToken(challenge, scopes));
      const retry = this.authorization(key);
      if (!retry) throw new RegistryHttpError(401, 'UNAUTHORIZED', `${this.registry} requires credentials: run berth login ${this.registry}, or pass --creds`);
      res = await this.send(method, url, options, retry);
    }
    if (!(options.ok ?? [200]).includes(res.status)) throw await errorOf(res, method, url);
    return res;
  }

  /** A token for `scopes`, renewed a little before the registry says it expires. */
  private async newToken(challenge: Challenge, scopes: string[]): Promise<{ token: string; renewAt: number }> {
    const { token, expiresIn } = await fetchToken(challenge, scopes, this.credentials);
    return { token, renewAt: Date.now() + Math.max(30, expiresIn - 30) * 1000 };
  }

  private authorization(key: string): string | undefined {
    const token = this.tokens.get(key)?.token;
    if (token) return `Bearer ${token}`;
    if (this.challenge?.scheme === 'basic') return basicHeader(this.credentials);
    if (!this.challenge && this.credentials && 'bearer' in this.credentials) return `Bearer ${this.credentials.bearer}`;
    return undefined;
  }

  private send(method: string, url: string, options: RequestOptions, authorization: string | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': 'berth-cli', ...options.headers };
    if (authorization) headers.authorization = authorization;
    return send(method, url, headers, options.body?.());
  }

  private location(res: HttpResponse): string {
    const location = res.headers.get('location');
    if (!location) throw new RegistryHttpError(res.status, undefined, `${this.registry} answered ${res.status} without a Location`);
    return new URL(location, this.baseUrl).toString();
  }
}

function pull(repository: string): string {
  return `repository:${repository}:pull`;
}

function push(repository: string): string {
  return `repository:${repository}:pull,push`;
}

async function errorOf(res: HttpResponse, method: string, url: string): Promise<RegistryHttpError> {
  const text = await res.text().catch(() => '');
  let code: string | undefined;
  let message = text.slice(0, 300) || `HTTP ${res.status}`;
  try {
    const first = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors?.[0];
    if (first) {
      code = first.code;
      message = `${first.code ?? ''}${first.message ? `: ${first.message}` : ''}`;
    }
  } catch {
    // not an OCI error body
  }
  const path = new URL(url).pathname;
  const hint = res.status === 401 ? '; log in with berth login or pass --creds' : res.status === 403 ? '; your account lacks the permission' : '';
  return new RegistryHttpError(res.status, code, `${method} ${path} failed with HTTP ${res.status} (${message})${hint}`);
}
