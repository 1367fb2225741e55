// The WebhookStore port: webhook policies, the event outbox they are fed from, and the delivery log
// that drives at-least-once, in-order delivery across replicas (leases, not process memory, say who
// is delivering what). Every driver passes test/contracts/webhook-store.contract.ts.
import type { DomainEvent, EventType } from '../events/domain-events.js';

/** How deliveries are encoded: Berth's JSON (Harbor-compatible for artifact events) or CloudEvents 1.0. */
export type PayloadFormat = 'default' | 'cloudevents';

/** A webhook policy: where to send which events of a project (or of every project, when system-wide). */
export interface WebhookPolicy {
  id: number;
  /** The project it belongs to; null for a system-wide policy. */
  project: string | null;
  name: string;
  url: string;
  events: EventType[];
  format: PayloadFormat;
  /** HMAC-SHA256 signing secret; never returned by the API. */
  secret: string | null;
  /** Sent as the Authorization header; never returned by the API. */
  authHeader: string | null;
  enabled: boolean;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The fields a caller may change. */
export type WebhookPolicyPatch = Partial<Pick<WebhookPolicy, 'name' | 'url' | 'events' | 'format' | 'secret' | 'authHeader' | 'enabled'>>;

/** Where a delivery stands. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event to send to one policy, with what its attempts so far gave. */
export interface DeliveryRecord {
  id: number;
  policyId: number;
  event: DomainEvent;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What one attempt gave, and what happens next. */
export interface DeliveryOutcome {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  statusCode: number | null;
  error: string | null;
  latencyMs: number | null;
  at: Date;
}

/** Persistent webhook policies, outbox and delivery log. */
export interface WebhookStore {
  createPolicy(policy: Omit<WebhookPolicy, 'id'>): Promise<WebhookPolicy>;
  getPolicy(id: number): Promise<WebhookPolicy | null>;
  /** Policies of `project`, or the system-wide ones when `project` is null, by id. */
  listPolicies(project: string | null): Promise<WebhookPolicy[]>;
  updatePolicy(id: number, patch: WebhookPolicyPatch, at: Date): Promise<WebhookPolicy | null>;
  /** Deletes a policy and its delivery log; false when absent. */
  deletePolicy(id: number): Promise<boolean>;
  /** True when some enabled policy subscribes to `type` (to skip recording events nobody wants). */
  anyPolicyWants(type: EventType): Promise<boolean>;

  /** Appends events to the outbox outside any other change (pull events); like every outbox write, only those some enabled policy wants. */
  appendEvents(events: readonly DomainEvent[]): Promise<void>;
  /**
   * Turns up to `limit` not yet dispatched outbox events, oldest first, into pending deliveries for
   * every enabled policy that wants them, in one transaction; returns how many events it took.
   */
  fanOut(limit: number, now: Date): Promise<number>;
  /**
   * Leases up to `limit` deliveries that are due at `now` to `owner` until `leaseUntil`. Only the
   * oldest pending delivery of a policy is ever eligible, so each policy receives its events in order.
   */
  claimDue(now: Date, owner: string, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]>;
  /** Records an attempt's outcome and ends the lease; false when `owner` no longer holds it. */
  recordAttempt(id: number, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
  /**
   * Adds a pending delivery of `event` (stored if new) to policy `policyId`, bypassing fan-out (test
   * events, redeliveries); with `lease`, already leased so that only its creator attempts it.
   */
  addDelivery(policyId: number, event: DomainEvent, now: Date, lease?: { owner: string; until: Date }): Promise<DeliveryRecord>;
  getDelivery(id: number): Promise<DeliveryRecord | null>;
  /** A policy's deliveries, newest first, with ids below `beforeId`. */
  listDeliveries(policyId: number, query: { limit: number; beforeId?: number | undefined; status?: DeliveryStatus | undefined }): Promise<DeliveryRecord[]>;
  /** Outbox events not yet dispatched plus pending deliveries. */
  backlog(): Promise<number>;
  /**
   * Forgets finished deliveries last updated before `before`, and dispatched events older than that
   * which no remaining delivery refers to; returns how many deliveries and events went.
   */
  prune(before: Date): Promise<{ deliveries: number; events: number }>;
}
