// Runs skopeo for tests that expect some copies to be refused: the exit status and output come back
// instead of an exception, so a test can assert what skopeo printed.
import { execFile } from 'node:child_process';

/** The outcome of one skopeo run. */
export interface SkopeoRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `skopeo <args>` to completion (two minutes at most). */
export function runSkopeo(args: string[]): Promise<SkopeoRun> {
  return new Promise((resolve) => {
    execFile('skopeo', args, { timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** Throws with skopeo's output unless the run succeeded. */
export function expectSkopeoOk(run: SkopeoRun): void {
  if (run.code !== 0) throw new Error(`skopeo failed (${run.code}): ${run.stderr}`);
}
