// The WebhookStore on SQL (SQLite and PostgreSQL): policies, outbox fan-out and leased deliveries.
// On PostgreSQL, fan-out holds a transaction-scoped advisory lock so that deliveries are numbered in
// event order whichever replica fans out, and claims re-check the lease so two replicas never both
// take one delivery.
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DomainEvent, EventType } from '../../core/events/domain-events.js';
import type { DeliveryOutcome, DeliveryRecord, DeliveryStatus, PayloadFormat, WebhookPolicy, WebhookPolicyPatch, WebhookStore } from '../../core/ports/webhook-store.js';
import type { SqlDialect } from './migrations.js';
import type { Database } from './schema.js';
import { insertEvents } from './sql-outbox.js';
import type { WebhookDeliveriesTable, WebhookEventsTable, WebhookPoliciesTable } from './webhook-schema.js';

const FANOUT_LOCK = 0x62657274; // "bert"

/** A WebhookStore over an open, migrated Kysely database. */
export class SqlWebhookStore implements WebhookStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async createPolicy(p: Omit<WebhookPolicy, 'id'>): Promise<WebhookPolicy> {
    const row = await this.db
      .insertInto('webhook_policies')
      .values({
        project: p.project,
        name: p.name,
        url: p.url,
        events: JSON.stringify(p.events),
        format: p.format,
        secret: p.secret,
        auth_header: p.authHeader,
        enabled: +p.enabled,
        created_by: p.createdBy,
        created_at: p.createdAt.getTime(),
        updated_at: p.updatedAt.getTime(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPolicy(row);
  }

  async getPolicy(id: number): Promise<WebhookPolicy | null> {
    const row = await this.db.selectFrom('webhook_policies').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toPolicy(row) : null;
  }

  async listPolicies(project: string | null): Promise<WebhookPolicy[]> {
    const q = this.db.selectFrom('webhook_policies').selectAll().orderBy('id');
    const rows = await (project === null ? q.where('project', 'is', null) : q.where('project', '=', project)).execute();
    return rows.map(toPolicy);
  }

  async updatePolicy(id: number, patch: WebhookPolicyPatch, at: Date): Promise<WebhookPolicy | null> {
    const set: Updateable<WebhookPoliciesTable> = { updated_at: at.getTime() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.url !== undefined) set.url = patch.url;
    if (patch.events !== undefined) set.events = JSON.stringify(patch.events);
    if (patch.format !== undefined) set.format = patch.format;
    if (patch.secret !== undefined) set.secret = patch.secret;
    if (patch.authHeader !== undefined) set.auth_header = patch.authHeader;
    if (patch.enabled !== undefined) set.enabled = +patch.enabled;
    await this.db.updateTable('webhook_policies').set(set).where('id', '=', id).execute();
    return this.getPolicy(id);
  }

  async deletePolicy(id: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('webhook_deliveries').where('policy_id', '=', id).execute();
      return Number((await trx.deleteFrom('webhook_policies').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;
    });
  }

  async anyPolicyWants(type: EventType): Promise<boolean> {
    const rows = await this.db.selectFrom('webhook_policies').select('events').where('enabled', '=', 1).execute();
    return rows.some((r) => (JSON.parse(r.events) as string[]).includes(type));
  }

  async appendEvents(events: readonly DomainEvent[]): Promise<void> {
    await insertEvents(this.db, events);
  }

  async fanOut(limit: number, now: Date): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${FANOUT_LOCK})`.execute(trx);
      const events = await trx.selectFrom('webhook_events').selectAll().where('dispatched', '=', 0).orderBy('seq').limit(limit).execute();
      if (events.length === 0) return 0;
      const policies = (await trx.selectFrom('webhook_policies').selectAll().where('enabled', '=', 1).orderBy('id').execute()).map(toPolicy);
      const at = now.getTime();
      const deliveries = events.flatMap((e) =>
        policies
          .filter((p) => p.events.includes(e.type as EventType) && (p.project === null || p.project === e.project))
          .map((p) => newDelivery(p.id, e.id, at)),
      );
      for (let i = 0; i < deliveries.length; i += 500) await trx.insertInto('webhook_deliveries').values(deliveries.slice(i, i + 500)).execute();
      const seqs = events.map((e) => e.seq);
      await trx.updateTable('webhook_events').set({ dispatched: 1 }).where('seq', 'in', seqs).execute();
      return events.length;
    });
  }

  async claimDue(now: Date, owner: string, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]> {
    const t = now.getTime();
    const claimed = await sql<{ id: number }>`
      update webhook_deliveries set lease_owner = ${owner}, lease_until = ${leaseUntil.getTime()}
      where id in (
        select d.id from webhook_deliveries d
        where d.status = 'pending' and d.next_attempt_at <= ${t} and (d.lease_until is null or d.lease_until < ${t})
          and not exists (select 1 from webhook_deliveries e where e.policy_id = d.policy_id and e.status = 'pending' and e.id < d.id)
        order by d.id limit ${limit}
      )
      and status = 'pending' and (lease_until is null or lease_until < ${t})
      returning id`.execute(this.db);
    const ids = claimed.rows.map((r) => Number(r.id));
    return ids.length === 0 ? [] : this.deliveries(this.db.selectFrom('webhook_deliveries').selectAll().where('id', 'in', ids).orderBy('id'));
  }

  async recordAttempt(id: number, owner: string, o: DeliveryOutcome): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: o.status,
        attempts: o.attempts,
        next_attempt_at: o.nextAttemptAt.getTime(),
        last_status_code: o.statusCode,
        last_error: o.error,
        last_latency_ms: o.latencyMs,
        lease_owner: null,
        lease_until: null,
        updated_at: o.at.getTime(),
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async addDelivery(policyId: number, event: DomainEvent, now: Date, lease?: { owner: string; until: Date }): Promise<DeliveryRecord> {
    const id = await this.db.transaction().execute(async (trx) => {
      await insertEvents(trx, [event], true, false);
      const values = { ...newDelivery(policyId, event.id, now.getTime()), ...(lease ? { lease_owner: lease.owner, lease_until: lease.until.getTime() } : {}) };
      const row = await trx.insertInto('webhook_deliveries').values(values).returning('id').executeTakeFirstOrThrow();
      return Number(row.id);
    });
    return (await this.getDelivery(id))!;
  }

  async getDelivery(id: number): Promise<DeliveryRecord | null> {
    const [found] = await this.deliveries(this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id));
    return found ?? null;
  }

  async listDeliveries(policyId: number, query: { limit: number; beforeId?: number | undefined; status?: DeliveryStatus | undefined }): Promise<DeliveryRecord[]> {
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('policy_id', '=', policyId).orderBy('id', 'desc').limit(query.limit);
    if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    return this.deliveries(q);
  }

  async backlog(): Promise<number> {
    const events = await this.db.selectFrom('webhook_events').select((eb) => eb.fn.countAll<number>().as('n')).where('dispatched', '=', 0).executeTakeFirstOrThrow();
    const pending = await this.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return Number(events.n) + Number(pending.n);
  }

  async prune(before: Date): Promise<{ deliveries: number; events: number }> {
    const cutoff = before.getTime();
    return this.db.transaction().execute(async (trx) => {
      const deliveries = await trx.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('updated_at', '<', cutoff).executeTakeFirst();
      const events = await trx
        .deleteFrom('webhook_events')
        .where('dispatched', '=', 1)
        .where('occurred_at', '<', cutoff)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('webhook_deliveries').select('webhook_deliveries.id').whereRef('webhook_deliveries.event_id', '=', 'webhook_events.id'))))
        .executeTakeFirst();
      return { deliveries: Number(deliveries.numDeletedRows), events: Number(events.numDeletedRows) };
    });
  }

  /** Runs a delivery query and joins each row with its event. */
  private async deliveries(query: { execute(): Promise<Array<Selectable<WebhookDeliveriesTable>>> }): Promise<DeliveryRecord[]> {
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const eventIds = [...new Set(rows.map((r) => r.event_id))];
    const events = new Map((await this.db.selectFrom('webhook_events').selectAll().where('id', 'in', eventIds).execute()).map((e) => [e.id, toEvent(e)]));
    return rows.filter((r) => events.has(r.event_id)).map((r) => toDelivery(r, events.get(r.event_id)!));
  }
}

function newDelivery(policyId: number, eventId: string, at: number) {
  return { policy_id: policyId, event_id: eventId, status: 'pending', attempts: 0, next_attempt_at: at, lease_owner: null, lease_until: null, last_status_code: null, last_error: null, last_latency_ms: null, created_at: at, updated_at: at };
}

function toPolicy(row: Selectable<WebhookPoliciesTable>): WebhookPolicy {
  return {
    id: Number(row.id),
    project: row.project,
    name: row.name,
    url: row.url,
    events: JSON.parse(row.events) as EventType[],
    format: row.format as PayloadFormat,
    secret: row.secret,
    authHeader: row.auth_header,
    enabled: row.enabled === 1,
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

function toEvent(row: Selectable<WebhookEventsTable>): DomainEvent {
  return { id: row.id, type: row.type as EventType, project: row.project, operator: row.operator, occurredAt: new Date(Number(row.occurred_at)), data: JSON.parse(row.data) as Record<string, unknown> };
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>, event: DomainEvent): DeliveryRecord {
  return {
    id: Number(row.id),
    policyId: Number(row.policy_id),
    event,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: new Date(Number(row.next_attempt_at)),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    lastLatencyMs: row.last_latency_ms === null ? null : Number(row.last_latency_ms),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}
