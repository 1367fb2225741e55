// Auth-aware helpers for black-box tests of a Berth with access control on: Basic headers, the Docker
// token endpoint, a registry client that does the token dance the way real clients do, pushes through
// that client, and a small client for Berth's REST API.
// https://distribution.github.io/distribution/spec/auth/token/
import { request } from 'node:http';
import { decodeJwt } from 'jose';
import { absolute, descriptorOf, digestOf } from './oci-client.js';

/** A username and a password, personal access token or robot secret. */
export interface Credentials {
  username: string;
  password: string;
}

/** One entry of a registry token's `access` claim. */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

/** The `Authorization` header for HTTP Basic. */
export function withBasic(username: string, password: string): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

/** The `Authorization` header for a bearer token. */
export function withBearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** A parsed `WWW-Authenticate` challenge (RFC 6750 §3), or null when there is none. */
export function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme, params };
}

/** Asks the token endpoint (GET, Basic credentials when given) for `scopes`; returns the status and body. */
export async function getRegistryToken(base: string, creds: Credentials | undefined, scopes: string[], service = 'berth') {
  const query = new URLSearchParams({ service });
  for (const scope of scopes) query.append('scope', scope);
  const res = await fetch(`${base}/auth/token?${query}`, { headers: creds ? withBasic(creds.username, creds.password) : {} });
  const text = await res.text();
  const body = parseJson(text) as { token?: string; access_token?: string; expires_in?: number; errors?: Array<{ code: string }> } | undefined;
  return { status: res.status, headers: res.headers, text, body, token: body?.token };
}

/** The `access` claim of a registry token (decoded, not verified). */
export function accessOf(token: string): AccessEntry[] {
  return (decodeJwt(token).access as AccessEntry[] | undefined) ?? [];
}

/** The actions a token grants on repository `name` (sorted). */
export function grantedActions(token: string, name: string): string[] {
  return accessOf(token)
    .filter((a) => a.type === 'repository' && a.name === name)
    .flatMap((a) => a.actions)
    .sort();
}

/**
 * A registry client that authenticates like real ones: with credentials it first asks for a token
 * for the scope a request needs (containers/image style); on a 401 carrying a Bearer challenge for a
 * scope it holds no token for, it fetches one (anonymously when it has no credentials) and retries
 * once (ORAS style).
 */
export class RegistryClient {
  /** Tokens obtained, by scope string. */
  readonly tokens = new Map<string, string>();
  /** The first challenge a request of this client received, if any. */
  firstChallenge: string | null = null;

  constructor(
    readonly base: string,
    readonly creds?: Credentials,
  ) {}

  /** Sends a request to `pathOrUrl` (a path under the registry or an absolute URL). */
  async fetch(pathOrUrl: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Response> {
    const url = absolute(this.base, pathOrUrl);
    const method = init.method ?? 'GET';
    const send = (token: string | undefined) =>
      fetch(url, { method, headers: { ...init.headers, ...(token ? withBearer(token) : {}) }, ...(init.body !== undefined ? { body: init.body } : {}) });
    const scope = this.creds ? scopeForRequest(method, new URL(url).pathname) : undefined;
    let used = scope;
    let token = scope ? await this.tokenFor(scope) : undefined;
    const res = await send(token);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    this.firstChallenge ??= res.headers.get('www-authenticate');
    const wanted = challenge?.scheme === 'bearer' ? challenge.params.scope : undefined;
    if (wanted === undefined || wanted === used) return res;
    await res.arrayBuffer();
    used = wanted;
    token = await this.tokenFor(wanted);
    return send(token);
  }

  /** A token for `scope` from the token endpoint (cached). */
  async tokenFor(scope: string): Promise<string | undefined> {
    const cached = this.tokens.get(scope);
    if (cached) return cached;
    const issued = await getRegistryToken(this.base, this.creds, [scope]);
    if (issued.status !== 200 || !issued.token) throw new Error(`token endpoint answered ${issued.status}: ${issued.text}`);
    this.tokens.set(scope, issued.token);
    return issued.token;
  }
}

/** The scope a registry request needs, derived from its method and path. */
export function scopeForRequest(method: string, path: string): string | undefined {
  const m = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\//.exec(path);
  if (!m) return undefined;
  const uploads = path.includes('/blobs/uploads/');
  const actions = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' && !uploads ? 'delete' : 'pull,push';
  return `repository:${decodeURIComponent(m[1]!)}:${actions}`;
}

/** Pushes a blob (POST then monolithic PUT); returns the first response that is not a success. */
export async function pushBlobAs(client: RegistryClient, repo: string, bytes: string | Uint8Array): Promise<{ ok: boolean; res: Response; digest: string }> {
  const digest = digestOf(bytes);
  const post = await client.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (post.status !== 202) return { ok: false, res: post, digest };
  await post.arrayBuffer();
  const location = absolute(client.base, post.headers.get('location')!);
  const sep = location.includes('?') ? '&' : '?';
  const put = await client.fetch(`${location}${sep}digest=${encodeURIComponent(digest)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (put.status !== 201) return { ok: false, res: put, digest };
  await put.arrayBuffer();
  return { ok: true, res: put, digest };
}

/** Pushes manifest bytes under `reference`. */
export function putManifestAs(client: RegistryClient, repo: string, reference: string, bytes: string, mediaType = 'application/vnd.oci.image.manifest.v1+json'): Promise<Response> {
  return client.fetch(`/v2/${repo}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes });
}

/** A small OCI image: a config naming `seed` (so each seed gives its own digest) and string layers. */
export function imageOf(seed: string, layers: string[] = ['layer']) {
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Labels: { seed } } });
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: descriptorOf(config, 'application/vnd.oci.image.config.v1+json'),
    layers: layers.map((l) => descriptorOf(l, 'application/vnd.oci.image.layer.v1.tar')),
  };
  const bytes = JSON.stringify(manifest);
  return { config, layers, bytes, digest: digestOf(bytes) };
}

/**
 * Pushes an image through `client`: its blobs, then the manifest under `tag`. Returns the first
 * response that is not a success (the manifest PUT's when everything worked), never throws on a status.
 */
export async function pushImageAs(client: RegistryClient, repo: string, tag: string, seed = `${repo}:${tag}`, layers?: string[]) {
  const image = imageOf(seed, layers);
  for (const blob of [image.config, ...image.layers]) {
    const pushed = await pushBlobAs(client, repo, blob);
    if (!pushed.ok) return { ok: false, res: pushed.res, ...image };
  }
  const res = await putManifestAs(client, repo, tag, image.bytes);
  return { ok: res.status === 201, res, ...image };
}

/** Like pushImageAs, but throws unless the push succeeded. */
export async function mustPushImage(client: RegistryClient, repo: string, tag: string, seed?: string, layers?: string[]) {
  const pushed = await pushImageAs(client, repo, tag, seed, layers);
  if (!pushed.ok) throw new Error(`push ${repo}:${tag}: ${pushed.res.status} ${await pushed.res.text()}`);
  await pushed.res.arrayBuffer();
  return pushed;
}

/** A REST reply with its body parsed as JSON when possible. */
export interface ApiReply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** A client for Berth's REST API acting as `creds` (anonymous without). */
export function apiClient(base: string, creds?: Credentials) {
  const call = async (method: string, path: string, body?: unknown): Promise<ApiReply> => {
    const headers: Record<string, string> = creds ? withBasic(creds.username, creds.password) : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: parseJson(text), text };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    delete: (path: string) => call('DELETE', path),
  };
}

/** Like apiClient().method, but throws unless the status is `expected`. */
export async function must(reply: Promise<ApiReply>, expected: number): Promise<ApiReply> {
  const r = await reply;
  if (r.status !== expected) throw new Error(`expected ${expected}, got ${r.status}: ${r.text}`);
  return r;
}

/** The error codes of an `{"errors":[...]}` body. */
export function codesOf(body: unknown): string[] {
  const errors = (body as { errors?: Array<{ code: string }> } | undefined)?.errors;
  return Array.isArray(errors) ? errors.map((e) => e.code) : [];
}

/** A raw HTTP request whose path is sent exactly as given (fetch would normalise `..` segments). */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
