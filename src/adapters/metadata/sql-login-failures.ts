// Failed-login counts in the relational database (SQLite and PostgreSQL alike), behind SqlAccessStore:
// one row per throttle key, counted up by a single upsert so replicas failing one key at once lose no count.
import type { Kysely } from 'kysely';
import type { LoginFailures } from '../../core/ports/access-store.js';
import type { Database } from './schema.js';

/** AccessStore.getLoginFailures. */
export async function getLoginFailures(db: Kysely<Database>, key: string): Promise<LoginFailures | null> {
  const row = await db.selectFrom('login_failures').select(['failures', 'last_at']).where('key', '=', key).executeTakeFirst();
  return row ? { count: Number(row.failures), lastAt: new Date(Number(row.last_at)) } : null;
}

/** AccessStore.recordLoginFailure. */
export async function recordLoginFailure(db: Kysely<Database>, key: string, at: Date, since: Date): Promise<LoginFailures> {
  const row = await db
    .insertInto('login_failures')
    .values({ key, failures: 1, last_at: at.getTime() })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb.case().when('login_failures.last_at', '>=', since.getTime()).then(eb('login_failures.failures', '+', 1)).else(1).end(),
        last_at: eb.ref('excluded.last_at'),
      })),
    )
    .returning(['failures', 'last_at'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.failures), lastAt: new Date(Number(row.last_at)) };
}

/** AccessStore.clearLoginFailures. */
export async function clearLoginFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('login_failures').where('key', '=', key).execute();
}

/** AccessStore.pruneLoginFailures. */
export async function pruneLoginFailures(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom('login_failures').where('last_at', '<', before.getTime()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
