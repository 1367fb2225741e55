// The last pull time of each manifest, for the pull-based retention templates, kept cheaply: a pull
// only notes (repository, digest, time) in memory; a timer writes what was noted in one batch, and a
// manifest is written at most once per `minIntervalMs` (a minute in the server), so a thousand nodes
// pulling one model cost one row update a minute. A crash loses at most the last interval's times.
import type { PullObserver } from '../oci/registry.js';
import type { PullTime, RetentionStore } from './retention-store.js';

/** Settings of the pull-time recorder. */
export interface PullTimesSettings {
  /** How often noted pulls are written. */
  flushMs: number;
  /** A manifest's pull time is written at most this often. */
  minIntervalMs: number;
  /** Manifests noted at once at most; more are dropped until the next write (times are approximate). */
  maxPending: number;
}

/** Notes manifest pulls and writes their latest times in batches. */
export class PullTimes {
  private pending = new Map<string, PullTime>();
  private readonly written = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<RetentionStore, 'recordPulls'>,
    private readonly settings: PullTimesSettings,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The observer to hand to RegistryService.observePulls (with any other). */
  readonly observer: PullObserver = ({ repository, digest, at }) => {
    const key = `${repository}\0${digest}`;
    const last = this.written.get(key);
    if (last !== undefined && at.getTime() - last < this.settings.minIntervalMs) return;
    if (!this.pending.has(key) && this.pending.size >= this.settings.maxPending) return;
    this.pending.set(key, { repository, digest, at });
  };

  /** Starts the write timer. */
  start(): void {
    this.timer = setInterval(() => void this.flush(), this.settings.flushMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is noted. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes the noted pull times now. */
  async flush(): Promise<void> {
    await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.store
      .recordPulls([...batch.values()])
      .then(() => {
        for (const [key, p] of batch) this.written.set(key, p.at.getTime());
        this.forgetOld();
      })
      .catch((err: unknown) => {
        // Put the batch back (newer notes win) so the next write retries it.
        for (const [key, p] of batch) if (!this.pending.has(key) && this.pending.size < this.settings.maxPending) this.pending.set(key, p);
        this.onError(err);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  /** Drops write times older than the interval: they no longer hold a pull back. */
  private forgetOld(): void {
    if (this.written.size <= this.settings.maxPending) return;
    const cutoff = Date.now() - this.settings.minIntervalMs;
    for (const [key, at] of this.written) if (at < cutoff) this.written.delete(key);
  }
}
