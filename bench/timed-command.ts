// What one client command costs, as a user would see it: wall time from spawn to exit, and from GNU
// time (wait4's rusage) its CPU seconds and peak RSS; plus the CPU a long-running server spent
// meanwhile, from /proc/<pid>/stat, to tell client work from server work.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { since } from './blob-scenarios.js';

/** GNU time, which reports a child's rusage. */
export const GNU_TIME = '/usr/bin/time';

/** What a finished command cost. */
export interface CommandCost {
  seconds: number;
  /** User + system CPU of the command. */
  cpuSeconds: number;
  /** Peak resident set of the command (ru_maxrss). */
  maxRssBytes: number;
  stdout: string;
}

let runs = 0;

/** Runs `command args` to completion under GNU time; throws with its output unless it exits 0. */
export async function timedCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandCost> {
  const report = join(tmpdir(), `berth-bench-time-${process.pid}-${runs++}`);
  const child = spawn(GNU_TIME, ['-f', '%U %S %M', '-o', report, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const start = performance.now();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const seconds = since(start);
  try {
    if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`);
    const [user, system, maxRssKiB] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds, cpuSeconds: user! + system!, maxRssBytes: maxRssKiB! * 1024, stdout };
  } finally {
    rmSync(report, { force: true });
  }
}

let ticksPerSecond: number | undefined;

/** User and system CPU seconds a running process has used so far. */
export function processCpuTimes(pid: number): { user: number; system: number } {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "pid (comm) ": state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / ticksPerSecond, system: Number(fields[12]) / ticksPerSecond };
}

/** User + system CPU seconds a running process has used so far. */
export function processCpuSeconds(pid: number): number {
  const { user, system } = processCpuTimes(pid);
  return user + system;
}
