// External tools needed by interop tests: skipped with a message locally, a failure under CI=true.
import { spawnSync } from 'node:child_process';

/** True when `command` runs; under CI a missing tool throws so a green CI proves the test ran. */
export function toolAvailable(command: string, args: string[] = ['--version']): boolean {
  const found = spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI === 'true') throw new Error(`${command} is required under CI but is not installed`);
  if (!found) console.warn(`skipping tests that need ${command}: it is not installed`);
  return found;
}
