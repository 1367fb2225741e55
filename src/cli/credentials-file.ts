// Where `berth login` keeps credentials: the `auths` map of the Docker config file
// ($DOCKER_CONFIG/config.json or ~/.docker/config.json), which docker, podman and skopeo also read,
// plus Berth's own note of the default server in ~/.config/berth/config.json.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Stored Basic credentials for one registry host. */
export interface StoredCredentials {
  username: string;
  secret: string;
}

/** Path of the Docker config file. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** Path of Berth's own CLI settings. */
export function berthConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'berth', 'config.json');
}

/** The registry key docker uses for a server URL: host[:port]. */
export function registryKey(server: string): string {
  return new URL(server).host;
}

/** Reads credentials for `server`, or null. */
export function readCredentials(server: string, env: NodeJS.ProcessEnv = process.env): StoredCredentials | null {
  const auths = (readJson(dockerConfigPath(env)).auths ?? {}) as Record<string, { auth?: string }>;
  const entry = auths[registryKey(server)];
  if (!entry?.auth) return null;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : null;
}

/** Stores credentials for `server` and remembers it as the default server. */
export function writeCredentials(server: string, creds: StoredCredentials, env: NodeJS.ProcessEnv = process.env): void {
  const path = dockerConfigPath(env);
  const config = readJson(path);
  const auths = (config.auths ?? {}) as Record<string, unknown>;
  auths[registryKey(server)] = { auth: Buffer.from(`${creds.username}:${creds.secret}`).toString('base64') };
  writeJsonPrivate(path, { ...config, auths });
  writeJsonPrivate(berthConfigPath(env), { ...readJson(berthConfigPath(env)), server });
}

/** Forgets credentials for `server`; true when there were some. */
export function removeCredentials(server: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const path = dockerConfigPath(env);
  const config = readJson(path);
  const auths = (config.auths ?? {}) as Record<string, unknown>;
  const key = registryKey(server);
  if (!(key in auths)) return false;
  delete auths[key];
  writeJsonPrivate(path, { ...config, auths });
  return true;
}

/** The server `berth login` last stored, if any. */
export function defaultServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const server = readJson(berthConfigPath(env)).server;
  return typeof server === 'string' ? server : undefined;
}

function readJson(path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function writeJsonPrivate(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
