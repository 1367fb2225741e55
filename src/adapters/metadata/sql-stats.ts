// Live figures of the relational store for /metrics: the PostgreSQL connection pool and the upload
// sessions open in the database (every replica's, since sessions live there).
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';

/** Connections of a pool: all of them, the idle ones, and queries waiting for one. */
export interface PoolFigures {
  total: number;
  idle: number;
  waiting: number;
}

/** Figures read at scrape time. */
export interface DatabaseStats {
  /** The PostgreSQL pool's connections; null on SQLite (one embedded connection, no pool). */
  pool(): PoolFigures | null;
  /** How many upload sessions are open. */
  uploadsInProgress(): Promise<number>;
}

/** Reads the figures of `db` and, on PostgreSQL, of its `pool`. */
export function databaseStats(db: Kysely<Database>, pool: pg.Pool | null): DatabaseStats {
  return {
    pool: () => (pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null),
    async uploadsInProgress() {
      const row = await db.selectFrom('uploads').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
