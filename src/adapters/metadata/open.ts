// Opens the relational store named by the configuration (SQLite file or PostgreSQL URL) and migrates it.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../config/database.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export type { DatabaseConfig };
import type { AccessStore } from '../../core/ports/access-store.js';
import type { GcStore } from '../../core/ports/gc-store.js';
import type { ModelStore } from '../../core/ports/model-store.js';
import type { PolicyStore } from '../../core/ports/policy-store.js';
import type { RegistryStore } from '../../core/ports/registry-store.js';
import type { RetentionStore } from '../../core/retention/retention-store.js';
import type { UploadLedger } from '../../core/ports/upload-ledger.js';
import type { WebhookStore } from '../../core/ports/webhook-store.js';
import { migrationsFor, type SqlDialect } from './migrations.js';
import type { Database } from './schema.js';
import { SqlAccessStore } from './sql-access-store.js';
import { SqlGcStore } from './sql-gc-store.js';
import { databaseStats, type DatabaseStats } from './sql-stats.js';
import { SqlModelStore } from './sql-model-store.js';
import { SqlPolicyStore } from './sql-policy-store.js';
import { SqlRegistryStore } from './sql-registry-store.js';
import { SqlRetentionStore } from './sql-retention-store.js';
import { SqlUploadLedger } from './sql-upload-ledger.js';
import { SqlWebhookStore } from './sql-webhook-store.js';


/** Every store that lives in the relational database. */
export interface SqlStores {
  registry: RegistryStore;
  /** The database side of garbage collection. */
  gc: GcStore;
  access: AccessStore;
  models: ModelStore;
  webhooks: WebhookStore;
  /** Tag immutability rules and project quotas. */
  policies: PolicyStore;
  /** Tag retention policies, runs and manifest pull times. */
  retention: RetentionStore;
  /** Pool and upload-session figures for /metrics. */
  stats: DatabaseStats;
  /** Part and layout bookkeeping of object-store blob drivers (S3). */
  uploadLedger: UploadLedger;
  /** Releases the connection (pool). */
  close(): Promise<void>;
}

/** Opens, migrates and wraps the configured database. */
export async function openStores(config: DatabaseConfig): Promise<SqlStores> {
  const { db, dialect, pool = null } = connect(config);
  await migrate(db, dialect);
  const close = () => db.destroy();
  return { registry: new SqlRegistryStore(db, close), gc: new SqlGcStore(db), access: new SqlAccessStore(db), models: new SqlModelStore(db, dialect), webhooks: new SqlWebhookStore(db, dialect), policies: new SqlPolicyStore(db, dialect), retention: new SqlRetentionStore(db), stats: databaseStats(db, pool), uploadLedger: new SqlUploadLedger(db), close };
}

/** Opens only the OCI index (for tests and tools that need nothing else). */
export async function openRegistryStore(config: DatabaseConfig): Promise<RegistryStore> {
  return (await openStores(config)).registry;
}

function connect(config: DatabaseConfig): { db: Kysely<Database>; dialect: SqlDialect; pool?: pg.Pool } {
  if (config.driver === 'sqlite') {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    const database = new SQLite(config.path);
    database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${config.synchronous.toUpperCase()}`);
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), dialect: 'sqlite' };
  }
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
  // An idle connection the server drops (restart, failover) leaves the pool; the next query opens another.
  pool.on('error', () => {});
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', pool };
}

async function migrate(db: Kysely<Database>, dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationsFor(dialect), migrationTableName: 'berth_migrations', migrationLockTableName: 'berth_migrations_lock' });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
