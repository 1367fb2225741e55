// Pull events without slowing pulls: a manifest GET only counts itself in memory, and only while some
// policy wants pull events. Once a second the counts become events, one per repository, manifest, tag
// and puller (`count` says how many pulls it stands for), written to the outbox in one insert. So a
// thousand nodes pulling one model make a handful of deliveries, not a thousand. Unlike changes, a pull
// is not a transaction: a crash can lose the last second of pulls.
import type { PullObserver } from '../oci/registry.js';
import type { WebhookStore } from '../ports/webhook-store.js';
import { domainEvent, projectOfRepository, type DomainEvent } from './domain-events.js';

/** Settings of the pull recorder. */
export interface PullRecorderSettings {
  flushMs: number;
  /** Counted (manifest, puller) pairs that make a batch written at once, before the timer. */
  batchSize: number;
  /** Pull events kept while the database is unreachable; older ones are dropped first. */
  maxBuffered: number;
  /** How often to re-read whether any policy wants pull events. */
  refreshMs: number;
}

/** Pulls of one manifest by one puller within a flush window. */
interface PullCount {
  repository: string;
  digest: string;
  mediaType: string;
  tag: string | undefined;
  operator: string;
  first: Date;
  last: Date;
  count: number;
}

/** Counts pulls and writes them to the outbox as events in batches. */
export class PullRecorder {
  private counts = new Map<string, PullCount>();
  private buffer: DomainEvent[] = [];
  private wanted = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Pull events dropped because the database was unreachable for too long. */
  dropped = 0;

  constructor(
    private readonly store: Pick<WebhookStore, 'appendEvents' | 'anyPolicyWants'>,
    private readonly settings: PullRecorderSettings,
    private readonly onWritten: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The observer to hand to RegistryService.observePulls. */
  readonly observer: PullObserver = (pull) => {
    if (!this.wanted) return;
    const { repository, reference, digest, mediaType, operator, at } = pull;
    const tag = reference.includes(':') ? undefined : reference;
    const key = `${repository}\0${digest}\0${tag ?? ''}\0${operator}`;
    const counted = this.counts.get(key);
    if (counted) {
      counted.count++;
      counted.last = at;
    } else {
      this.counts.set(key, { repository, digest, mediaType, tag, operator, first: at, last: at, count: 1 });
      if (this.counts.size >= this.settings.batchSize) void this.flush();
    }
  };

  /** Starts the timers after reading whether pulls are wanted. */
  async start(): Promise<void> {
    await this.refresh();
    this.flushTimer = setInterval(() => void this.flush(), this.settings.flushMs);
    this.refreshTimer = setInterval(() => void this.refresh(), this.settings.refreshMs);
    this.flushTimer.unref();
    this.refreshTimer.unref();
  }

  /** Stops the timers and writes what is buffered. */
  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.refreshTimer);
    await this.flush();
  }

  /** Re-reads whether any policy wants pull events (called when policies change). */
  async refresh(): Promise<void> {
    try {
      this.wanted = await this.store.anyPolicyWants('artifact.pulled');
    } catch (err) {
      this.onError(err);
    }
  }

  /** Writes the pulls counted so far to the outbox. */
  async flush(): Promise<void> {
    await this.flushing;
    for (const c of this.counts.values()) {
      const data = { repository: c.repository, digest: c.digest, mediaType: c.mediaType, ...(c.tag ? { tag: c.tag } : {}), count: c.count, firstAt: c.first.toISOString(), lastAt: c.last.toISOString() };
      this.buffer.push(domainEvent('artifact.pulled', projectOfRepository(c.repository), c.operator, c.first, data));
    }
    this.counts = new Map();
    if (this.buffer.length > this.settings.maxBuffered) {
      this.dropped += this.buffer.length - this.settings.maxBuffered;
      this.buffer.splice(0, this.buffer.length - this.settings.maxBuffered);
    }
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.store
      .appendEvents(batch)
      .then(() => this.onWritten())
      .catch((err: unknown) => {
        this.buffer = [...batch, ...this.buffer].slice(-this.settings.maxBuffered);
        this.onError(err);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }
}
