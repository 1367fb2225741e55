// Writes domain events into the outbox table inside a caller's transaction, so an event exists if and
// only if the change that caused it committed. Events that no enabled policy wants at that moment are
// not written at all (the policy check is part of the same transaction), so a registry without
// webhooks pays one small read per change, not a row and a later write to mark it dispatched.
import type { Kysely, Transaction } from 'kysely';
import type { DomainEvent } from '../../core/events/domain-events.js';
import type { Database } from './schema.js';

/**
 * Inserts those of `events` some enabled policy wants (all of them with `wantedOnly` false) using
 * `trx`, as not yet dispatched unless `dispatched`; duplicates by id are ignored.
 */
export async function insertEvents(trx: Transaction<Database> | Kysely<Database>, events: readonly DomainEvent[] | undefined, dispatched = false, wantedOnly = true): Promise<void> {
  if (!events || events.length === 0) return;
  const kept = wantedOnly ? await wanted(trx, events) : events;
  if (kept.length === 0) return;
  await trx
    .insertInto('webhook_events')
    .values(kept.map((e) => ({
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

/** The events an enabled policy (of their project, or system-wide) subscribes to. */
async function wanted(trx: Transaction<Database> | Kysely<Database>, events: readonly DomainEvent[]): Promise<readonly DomainEvent[]> {
  const policies = await trx.selectFrom('webhook_policies').select(['project', 'events']).where('enabled', '=', 1).execute();
  if (policies.length === 0) return [];
  const subscriptions = policies.map((p) => ({ project: p.project, types: new Set(JSON.parse(p.events) as string[]) }));
  return events.filter((e) => subscriptions.some((s) => s.types.has(e.type) && (s.project === null || s.project === e.project)));
}
