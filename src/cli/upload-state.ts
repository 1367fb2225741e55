// Remembers unfinished chunked uploads on disk ($XDG_CACHE_HOME/berth/uploads), so running the same
// push again after an interruption asks the registry where the upload stands and sends only the rest.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A saved upload session. */
export interface SavedUpload {
  location: string;
  size: number;
}

function stateDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'berth', 'uploads');
}

function statePath(key: string[], env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), `${createHash('sha256').update(key.join('\u0000')).digest('hex')}.json`);
}

/** The saved session for `key` (registry, repository, digest), if any. */
export function loadUpload(key: string[], env: NodeJS.ProcessEnv = process.env): SavedUpload | undefined {
  try {
    return JSON.parse(readFileSync(statePath(key, env), 'utf8')) as SavedUpload;
  } catch {
    return undefined;
  }
}

/** Saves where a session stands (after each acknowledged chunk). */
export function saveUpload(key: string[], upload: SavedUpload, env: NodeJS.ProcessEnv = process.env): void {
  mkdirSync(stateDir(env), { recursive: true, mode: 0o700 });
  const path = statePath(key, env);
  writeFileSync(`${path}.tmp`, JSON.stringify(upload), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** Forgets a session (finished or gone). */
export function forgetUpload(key: string[], env: NodeJS.ProcessEnv = process.env): void {
  rmSync(statePath(key, env), { force: true });
}
