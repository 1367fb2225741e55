// Starts Debian's docker-registry (distribution 2.8, the reference implementation) for differential
// tests and benchmarks, with deletes enabled and its own temporary storage.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** The reference registry binary. */
export const REFERENCE_REGISTRY_BIN = process.env.BERTH_REFERENCE_REGISTRY ?? '/usr/bin/docker-registry';

/** A running reference registry. */
export interface ReferenceRegistry {
  url: string;
  host: string;
  /** The registry's process id (benchmarks sample its memory). */
  pid: number;
  dispose(): Promise<void>;
}

/** Spawns docker-registry on a free loopback port and waits until /v2/ answers. */
export async function startReferenceRegistry(): Promise<ReferenceRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-reference-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${host}`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const child = spawn(REFERENCE_REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = `http://${host}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/v2/`)).status === 200) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    host,
    pid: child.pid!,
    async dispose() {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
