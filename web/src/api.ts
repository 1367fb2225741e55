// Talks to Berth's APIs from the browser: same origin, no cookies (`credentials: 'omit'`, so a 401
// never opens the browser's own login prompt), the session's bearer token when signed in, and the
// error envelopes of each surface (REST/OCI `errors[]`, Hub `error`) turned into one ApiError.
import { clearSession, currentSession } from './session.js';

/** A failed API call: its HTTP status and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Options of a call: method, JSON body, extra headers, or `authorization` to override the session. */
export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  authorization?: string;
}

let onExpired: () => void = () => {};

/** Sets what happens when the server refuses the session's token (it expired or was revoked). */
export function whenSessionExpires(handler: () => void): void {
  onExpired = handler;
}

/** Sends a request and returns the raw response when it succeeded; throws ApiError otherwise. */
export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const session = currentSession();
  const headers: Record<string, string> = { ...options.headers };
  const authorization = options.authorization ?? (session ? `Bearer ${session.token}` : undefined);
  if (authorization) headers.authorization = authorization;
  const init: RequestInit = { method: options.method ?? 'GET', headers, credentials: 'omit', cache: 'no-store' };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(path, init);
  if (res.ok) return res;
  const message = await errorMessage(res);
  if (res.status === 401 && session && !options.authorization) {
    clearSession();
    onExpired();
  }
  throw new ApiError(res.status, message);
}

/** Sends a request and parses the JSON reply (undefined for 204). */
export async function json<T>(path: string, options: CallOptions = {}): Promise<T> {
  const res = await call(path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Like `json`, but answers null instead of throwing for statuses the caller expects (e.g. 401, 403). */
export async function jsonOrNull<T>(path: string, statuses: number[] = [401, 403, 404]): Promise<T | null> {
  try {
    return await json<T>(path);
  } catch (err) {
    if (err instanceof ApiError && statuses.includes(err.status)) return null;
    throw err;
  }
}

/** Path of a model on Berth's API: `/api/v1/models/<project>/<model>` with further slashes as %2F. */
export function modelPath(project: string, model: string): string {
  return `/api/v1/models/${encodeURIComponent(project)}/${encodeURIComponent(model)}`;
}

/** Path of a repository on the OCI API (its slashes kept: they are part of the name). */
export function repositoryPath(repository: string): string {
  return `/v2/${repository.split('/').map(encodeURIComponent).join('/')}`;
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: Array<{ message?: string; code?: string }>; error?: string; message?: string };
    const first = body.errors?.[0];
    const message = first?.message ?? first?.code ?? body.error ?? body.message;
    if (message) return message;
  } catch {
    // not JSON
  }
  return `${res.status} ${res.statusText}`.trim();
}
