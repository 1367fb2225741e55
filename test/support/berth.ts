// Starts a real, listening Berth (the built `bin/berth.js serve`) in a child process for black-box tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';

const BIN = resolve(import.meta.dirname, '../../bin/berth.js');

/** A running Berth process. */
export interface BerthProcess {
  url: string;
  /** host:port, as OCI clients name the registry. */
  host: string;
  dataDir: string;
  child: ChildProcess;
  /** Output so far, for failure messages. */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Stops the process and deletes its data directory (unless it was given). */
  dispose(): Promise<void>;
}

/** Options for startBerth. */
export interface StartOptions {
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
  args?: string[];
  /** Turn access control on, with this admin password (default: off, as the OCI-only suites expect). */
  adminPassword?: string;
  /** Another build's `bin/berth.js` to run instead of this checkout's (A/B benchmarks). */
  bin?: string;
}

/** Spawns `berth serve` on a free port and waits until /healthz answers. */
export async function startBerth(options: StartOptions = {}): Promise<BerthProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-test-'));
  const port = options.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const child = spawn(process.execPath, [options.bin ?? BIN, 'serve', '--listen', host, '--data', dataDir, ...(options.args ?? [])], {
    env: {
      ...process.env,
      BERTH_LOG_LEVEL: 'warn',
      ...(options.adminPassword ? { BERTH_AUTH: 'true', BERTH_ADMIN_PASSWORD: options.adminPassword } : { BERTH_AUTH: 'false' }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = `http://${host}`;
  await waitForStart(async () => (await fetch(`${url}/healthz`)).ok, exited, () => output);
  const proc: BerthProcess = {
    url,
    host,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await proc.kill();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return proc;
}

/** Waits until `ok` answers true (a refused connection counts as not yet), failing early if the process exits. */
export async function waitForStart(ok: () => Promise<boolean>, exited: Promise<number | null>, output: () => string): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (done) throw new Error(`berth exited during start:\n${output()}`);
    try {
      if (await ok()) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`berth did not become healthy:\n${output()}`);
}
