// Memory of the servers under test: VmRSS sampled from /proc/<pid>/status every few milliseconds, the
// largest sample kept per benchmark phase, and the kernel's own high-water mark (VmHWM) at the end.
import { readFileSync } from 'node:fs';

/** Peak memory of one process, in bytes. */
export interface MemoryPeak {
  /** Largest sampled VmRSS over the whole run. */
  sampledPeak: number;
  /** The kernel's VmHWM (peak RSS over the process lifetime). */
  hwm: number;
  /** Largest sampled VmRSS per phase. */
  byPhase: Map<string, number>;
}

/** Samples the memory of named processes until stopped. */
export class RssSampler {
  private readonly peaks = new Map<string, MemoryPeak>();
  private phaseName = 'start';
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly pids: Record<string, number>,
    private readonly intervalMs = 50,
  ) {
    for (const name of Object.keys(pids)) this.peaks.set(name, { sampledPeak: 0, hwm: 0, byPhase: new Map() });
  }

  /** Starts sampling. */
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Attributes the following samples to `name`. */
  phase(name: string): void {
    this.sample();
    this.phaseName = name;
  }

  /** Takes a last sample (VmHWM included), stops, and returns the peaks by process name. */
  stop(): Map<string, MemoryPeak> {
    clearInterval(this.timer);
    this.sample();
    return this.peaks;
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const status = readStatus(pid);
      if (!status) continue;
      const peak = this.peaks.get(name)!;
      peak.sampledPeak = Math.max(peak.sampledPeak, status.rss);
      peak.hwm = Math.max(peak.hwm, status.hwm);
      peak.byPhase.set(this.phaseName, Math.max(peak.byPhase.get(this.phaseName) ?? 0, status.rss));
    }
  }
}

function readStatus(pid: number): { rss: number; hwm: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}
