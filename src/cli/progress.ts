// Progress reporting for transfers: bars with bytes/s and ETA on a terminal (cli-progress), one
// plain line per finished file otherwise, and silence for --json (the command prints a summary).
import cliProgress from 'cli-progress';

/** One transfer being reported. */
export interface TransferProgress {
  advance(bytes: number): void;
  finish(note: string): void;
}

/** Where transfers report. */
export interface ProgressReporter {
  start(label: string, total: number): TransferProgress;
  note(line: string): void;
  close(): void;
}

/** Picks the reporter for the output mode. */
export function createProgress(mode: { json: boolean; quiet?: boolean }): ProgressReporter {
  if (mode.json || mode.quiet) return silentProgress;
  return process.stderr.isTTY ? barProgress() : lineProgress();
}

const silentProgress: ProgressReporter = {
  start: () => ({ advance: () => undefined, finish: () => undefined }),
  note: () => undefined,
  close: () => undefined,
};

function lineProgress(): ProgressReporter {
  return {
    start(label, total) {
      const began = Date.now();
      return {
        advance: () => undefined,
        finish(note) {
          const seconds = (Date.now() - began) / 1000;
          process.stderr.write(`${note} ${label} ${formatBytes(total)} in ${seconds.toFixed(1)}s\n`);
        },
      };
    },
    note: (line) => process.stderr.write(`${line}\n`),
    close: () => undefined,
  };
}

function barProgress(): ProgressReporter {
  const bars = new cliProgress.MultiBar(
    {
      format: ' {bar} {percentage}% | {label} | {done}/{size} | {speed}/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start(label, total) {
      const began = Date.now();
      let done = 0;
      const bar = bars.create(Math.max(total, 1), 0, { label, done: formatBytes(0), size: formatBytes(total), speed: formatBytes(0) });
      return {
        advance(bytes) {
          done += bytes;
          const seconds = Math.max((Date.now() - began) / 1000, 0.001);
          bar.update(done, { done: formatBytes(done), speed: formatBytes(done / seconds) });
        },
        finish(note) {
          bar.update(Math.max(total, 1), { label: `${note} ${label}`, done: formatBytes(total) });
          bar.stop();
        },
      };
    },
    note: (line) => bars.log(`${line}\n`),
    close: () => bars.stop(),
  };
}

/** Human-readable byte counts (binary units). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
