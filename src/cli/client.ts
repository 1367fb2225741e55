// The CLI's HTTP client for Berth's REST API: picks the server and credentials (flags, BERTH_TOKEN,
// what `berth login` stored), sends JSON, and turns error envelopes into readable messages.
import type { Command } from 'commander';
import { defaultServer, readCredentials } from './credentials-file.js';

/** Options every server-talking command accepts. */
export interface ServerOptions {
  server?: string | undefined;
  creds?: string | undefined;
}

/** A configured API client. */
export interface ApiClient {
  server: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** An error reported by the server, with its code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Normalises a server argument: adds http:// for localhost-like hosts and https:// otherwise. */
export function normaliseServer(server: string): string {
  if (/^https?:\/\//.test(server)) return server.replace(/\/+$/, '');
  const plain = /^(localhost|127\.|\[::1\])/.test(server);
  return `${plain ? 'http' : 'https'}://${server.replace(/\/+$/, '')}`;
}

/** The Authorization header for the given options, or undefined for anonymous calls. */
export function authorizationFor(server: string, creds: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (creds) return `Basic ${Buffer.from(creds).toString('base64')}`;
  if (env.BERTH_TOKEN) return `Bearer ${env.BERTH_TOKEN}`;
  const stored = readCredentials(server, env);
  return stored ? `Basic ${Buffer.from(`${stored.username}:${stored.secret}`).toString('base64')}` : undefined;
}

/** Builds a client from command options. */
export function apiClient(options: ServerOptions, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const chosen = options.server || env.BERTH_SERVER || defaultServer(env);
  if (!chosen) throw new Error('no server: pass --server URL, set BERTH_SERVER, or run berth login first');
  const server = normaliseServer(chosen);
  const authorization = authorizationFor(server, options.creds, env);
  return {
    server,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (authorization) headers.authorization = authorization;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      const parsed: unknown = text ? safeJson(text) : undefined;
      if (!res.ok) {
        const first = (parsed as { errors?: Array<{ code?: string; message?: string }> } | undefined)?.errors?.[0];
        throw new ApiError(res.status, first?.code ?? String(res.status), first?.message ?? (text.slice(0, 200) || res.statusText));
      }
      return parsed as T;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Adds the options every REST command takes: --server, --creds and --json. */
export function withServerOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'Berth server (env BERTH_SERVER; default: the one `berth login` stored)')
    .option('--creds <user:secret>', 'credentials (default: BERTH_TOKEN, then what `berth login` stored)')
    .option('--json', 'print JSON');
}

