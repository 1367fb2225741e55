// Migration 0007_login_failures (listed in migrations.ts) and its table: failed-login counts per
// throttle key, shared by every replica so password guessing is slowed down deployment-wide.
import type { Kysely } from 'kysely';

/** Failed logins under one hashed throttle key (account and source address). */
export interface LoginFailuresTable {
  key: string;
  failures: number;
  last_at: number;
}

/** The tables this migration adds, for the Database type. */
export interface LoginFailuresTables {
  login_failures: LoginFailuresTable;
}

/** Creates the login_failures table. */
export async function createLoginFailuresTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_last_at').on('login_failures').column('last_at').execute();
}
