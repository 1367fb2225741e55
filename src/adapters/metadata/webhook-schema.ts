// Table types and migration of webhook policies, the event outbox and the delivery log.
import type { ColumnDefinitionBuilder, Generated, Kysely, RawBuilder } from 'kysely';

/** A webhook policy. */
export interface WebhookPoliciesTable {
  id: Generated<number>;
  project: string | null;
  name: string;
  url: string;
  events: string;
  format: string;
  secret: string | null;
  auth_header: string | null;
  enabled: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** The outbox: every domain event, written in the transaction of the change that caused it. */
export interface WebhookEventsTable {
  seq: Generated<number>;
  id: string;
  type: string;
  project: string | null;
  operator: string;
  occurred_at: number;
  data: string;
  /** 0 until fanned out into deliveries. */
  dispatched: number;
}

/** One event to one policy. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  policy_id: number;
  event_id: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  created_at: number;
  updated_at: number;
}

/** The webhook tables. */
export interface WebhookTables {
  webhook_policies: WebhookPoliciesTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** Creates the webhook tables (migration 0004_webhooks). */
export async function createWebhookTables(db: Kysely<unknown>, types: { text: RawBuilder<unknown>; serial: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder }): Promise<void> {
  const { text, serial } = types;
  await db.schema
    .createTable('webhook_policies')
    .addColumn('id', 'integer', serial)
    .addColumn('project', text)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('auth_header', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_policies_project').on('webhook_policies').column('project').execute();
  await db.schema
    .createTable('webhook_events')
    .addColumn('seq', 'integer', serial)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('project', text)
    .addColumn('operator', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('dispatched', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_events_undispatched').on('webhook_events').columns(['dispatched', 'seq']).execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'integer', serial)
    .addColumn('policy_id', 'integer', (c) => c.notNull().references('webhook_policies.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_latency_ms', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_policy').on('webhook_deliveries').columns(['policy_id', 'status', 'id']).execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
}


