// Runs the built `berth` CLI as a child process, as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/berth.js');

/** The outcome of a finished CLI run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `berth <args>`; the caller may kill it. */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((res) => child.once('close', (code) => res({ code, stdout, stderr })));
  return { child, done };
}

/** Runs `berth <args>` to completion. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return spawnCli(args, env).done;
}

/** Runs `berth <args>` and fails with its output unless it exits 0. */
export async function runCliOk(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const run = await runCli(args, env);
  if (run.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${run.code}\n${run.stderr}\n${run.stdout}`);
  return run;
}
