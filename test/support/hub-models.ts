// Shared steps of the Hugging Face Hub tests: push a fixture model with the real `berth push`, and
// read its files back from disk with their sha256, so downloads can be compared byte for byte.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCliOk } from './cli.js';
import type { ModelFixture } from './model-fixtures.js';

/** A pushed model: its manifest digest, the commit id the Hub view shows, and its files' sha256. */
export interface PushedModel {
  repo: string;
  digest: string;
  commit: string;
  files: Map<string, { sha256: string; size: number }>;
}

/** The sha256 hex of some bytes. */
export function sha256(bytes: Uint8Array | ArrayBuffer): string {
  return createHash('sha256').update(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).digest('hex');
}

/** Environment for CLI runs that must not see the developer's own credentials. */
export function isolatedEnv(work: string): Record<string, string> {
  return { XDG_CACHE_HOME: join(work, 'cache'), DOCKER_CONFIG: join(work, 'docker'), XDG_CONFIG_HOME: join(work, 'config'), BERTH_TOKEN: '' };
}

/** `berth push <dir> <host>/<repo>:<tag>` and what the Hub view should show for it. */
export async function pushFixture(host: string, repo: string, tag: string, fixture: ModelFixture, env: Record<string, string>, creds?: string): Promise<PushedModel> {
  const run = await runCliOk(['push', fixture.dir, `${host}/${repo}:${tag}`, '--json', '-q', ...(creds ? ['--creds', creds] : [])], env);
  const digest = (JSON.parse(run.stdout) as { digest: string }).digest;
  const files = new Map<string, { sha256: string; size: number }>();
  for (const f of fixture.files) {
    const bytes = await readFile(join(fixture.dir, f.path));
    files.set(f.path, { sha256: sha256(bytes), size: bytes.length });
  }
  return { repo, digest, commit: digest.slice('sha256:'.length, 'sha256:'.length + 40), files };
}
