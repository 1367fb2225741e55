// Runs an external client (skopeo, podman) for tests that expect some operations to be refused: the exit
// status and output come back instead of an exception, so a test can assert what the client printed.
import { execFile } from 'node:child_process';

/** The outcome of one run of a client. */
export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The outcome of one skopeo run. */
export type SkopeoRun = ToolRun;

/** Runs `command <args>` to completion (two minutes at most), with `env` added to the environment. */
export function runTool(command: string, args: string[], env: Record<string, string> = {}): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 120_000, maxBuffer: 16 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** Runs `skopeo <args>` to completion (two minutes at most). */
export function runSkopeo(args: string[]): Promise<SkopeoRun> {
  return runTool('skopeo', args);
}

/** Throws with the client's output unless the run succeeded. */
export function expectToolOk(run: ToolRun, what = 'skopeo'): ToolRun {
  if (run.code !== 0) throw new Error(`${what} failed (${run.code}): ${run.stderr}`);
  return run;
}

/** Throws with skopeo's output unless the run succeeded. */
export function expectSkopeoOk(run: SkopeoRun): void {
  expectToolOk(run);
}
