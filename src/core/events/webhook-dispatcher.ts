// Delivers the outbox to webhook receivers: fans new events out into deliveries, leases the due ones
// (only the oldest pending delivery of each policy, so each receiver sees its events in order), sends
// them concurrently across policies, and records every attempt. Any number of replicas may run one;
// leases in the store, not this process, decide who sends what, and a crashed sender's lease expires.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { WebhookSender } from '../ports/webhook-sender.js';
import type { DeliveryRecord, WebhookPolicy, WebhookStore } from '../ports/webhook-store.js';
import { decideAfterAttempt, type AttemptResult, type RetrySettings } from './delivery-schedule.js';
import type { DomainEvent } from './domain-events.js';
import { webhookRequest } from './webhook-payloads.js';

/** How long a kick waits for others to join it. */
const KICK_COALESCE_MS = 20;

/** Settings of a dispatcher. */
export interface DispatcherSettings extends RetrySettings {
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Deliveries sent at once (to different policies). */
  concurrency: number;
  /** How often to look for due deliveries when nothing wakes the dispatcher. */
  pollMs: number;
  /** Host (and port) of the registry, for Harbor's `resource_url`. */
  registryHost: string;
}

/** What one synchronous delivery gave (test events). */
export interface DeliveryResult {
  delivery: DeliveryRecord;
  success: boolean;
}

/** The webhook delivery loop of one replica. */
export class WebhookDispatcher {
  private readonly owner = `dispatcher-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    private readonly settings: DispatcherSettings,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Starts the loop. */
  start(): void {
    this.stopped = false;
    this.pass();
  }

  /** Stops the loop and waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.soon);
    await this.running;
  }

  /**
   * Asks for a pass soon (new events were written or a delivery was added). Kicks within a few
   * milliseconds share one pass, so a burst of pushes costs the database one look, not one each.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.pass();
    }, KICK_COALESCE_MS);
  }

  /** Runs passes now, then waits for a kick or the poll interval. */
  private pass(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.pass(), this.settings.pollMs);
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** One or more passes, until a pass finds nothing to do. */
  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.runOnce()) > 0);
    } catch (err) {
      this.onError(err);
    }
  }

  /** Fans out new events and sends what is due; returns how much work it found. */
  async runOnce(): Promise<number> {
    let work = 0;
    for (let taken = 1; taken > 0; work += taken) taken = await this.store.fanOut(500, this.clock.now());
    const now = this.clock.now();
    const due = await this.store.claimDue(now, this.owner, new Date(now.getTime() + this.leaseMs()), this.settings.concurrency);
    const policies = new Map<number, WebhookPolicy | null>();
    for (const d of due) if (!policies.has(d.policyId)) policies.set(d.policyId, await this.store.getPolicy(d.policyId));
    await Promise.all(due.map((d) => this.attempt(d, policies.get(d.policyId) ?? null)));
    return work + due.length;
  }

  /** Sends `event` to `policy` now, once, recording it in the delivery log (the "send test event" call). */
  async deliverNow(policy: WebhookPolicy, event: DomainEvent): Promise<DeliveryResult> {
    const now = this.clock.now();
    const delivery = await this.store.addDelivery(policy.id, event, now, { owner: this.owner, until: new Date(now.getTime() + this.leaseMs()) });
    const status = await this.attempt(delivery, policy, 1);
    return { delivery: (await this.store.getDelivery(delivery.id)) ?? delivery, success: status === 'delivered' };
  }

  private leaseMs(): number {
    return this.settings.timeoutMs * 2 + 5000;
  }

  private async attempt(delivery: DeliveryRecord, policy: WebhookPolicy | null, maxAttempts = this.settings.maxAttempts): Promise<string> {
    const started = this.clock.now();
    const attempts = delivery.attempts + 1;
    if (!policy || !policy.enabled) {
      await this.store.recordAttempt(delivery.id, this.owner, { status: 'failed', attempts: delivery.attempts, nextAttemptAt: started, statusCode: null, error: 'the policy is disabled', latencyMs: null, at: started });
      return 'failed';
    }
    let result: AttemptResult;
    const t0 = performance.now();
    try {
      const response = await this.sender.send(webhookRequest(delivery.event, delivery.id, policy, this.settings.registryHost, started), this.settings.timeoutMs);
      result = { kind: 'response', status: response.status, retryAfter: response.retryAfter };
    } catch (err) {
      result = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    const latencyMs = Math.round(performance.now() - t0);
    const at = this.clock.now();
    const decision = decideAfterAttempt(result, attempts, { ...this.settings, maxAttempts }, at);
    const error = result.kind === 'error' ? result.message.slice(0, 500) : decision.status === 'delivered' ? null : `receiver answered ${result.status}`;
    await this.store.recordAttempt(delivery.id, this.owner, {
      status: decision.status,
      attempts,
      nextAttemptAt: new Date(at.getTime() + decision.delayMs),
      statusCode: result.kind === 'response' ? result.status : null,
      error,
      latencyMs,
      at,
    });
    return decision.status;
  }
}
