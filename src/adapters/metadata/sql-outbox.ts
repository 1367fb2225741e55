// Writes domain events into the outbox table inside a caller's transaction, so an event exists if and
// only if the change that caused it committed.
import type { Kysely, Transaction } from 'kysely';
import type { DomainEvent } from '../../core/events/domain-events.js';
import type { Database } from './schema.js';

/** Inserts `events` (not yet dispatched) using `trx`; duplicates by id are ignored. */
export async function insertEvents(trx: Transaction<Database> | Kysely<Database>, events: readonly DomainEvent[] | undefined, dispatched = false): Promise<void> {
  if (!events || events.length === 0) return;
  await trx
    .insertInto('webhook_events')
    .values(events.map((e) => ({
      id: e.id,
      type: e.type,
      project: e.project,
      operator: e.operator,
      occurred_at: e.occurredAt.getTime(),
      data: JSON.stringify(e.data),
      dispatched: dispatched ? 1 : 0,
    })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
