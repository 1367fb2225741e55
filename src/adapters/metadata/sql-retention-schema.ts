// Table types and migration 0009_retention (listed in migrations.ts): retention policies, the lease
// that lets one retention run per project go at a time across replicas, the record of runs and their
// per-artifact decisions, and the last pull time of each manifest (for the pull-based templates).
import type { ColumnDefinitionBuilder, Generated, Kysely, RawBuilder } from 'kysely';

/** A project's retention policy (the JSON document). */
export interface RetentionPoliciesTable {
  project: string;
  policy: string;
  /** 1 when enabled and scheduled, so the scheduler reads only those. */
  scheduled: number;
  updated_at: number;
  updated_by: string;
}

/** The lease of the run now going in a project (holder: the run's own id). */
export interface RetentionLeasesTable {
  project: string;
  holder: string;
  expires_at: number;
}

/** One retention run. */
export interface RetentionRunsTable {
  id: Generated<number>;
  project: string;
  status: string;
  dry_run: number;
  trigger: string;
  operator: string;
  holder: string;
  started_at: number;
  finished_at: number | null;
  candidates: number;
  retained: number;
  deleted: number;
  skipped: number;
  failed: number;
  error: string | null;
}

/** One artifact's decision in a run. */
export interface RetentionDecisionsTable {
  run_id: number;
  seq: number;
  repository: string;
  digest: string;
  /** JSON array of the tags it had when decided. */
  tags: string;
  pushed_at: number;
  action: string;
  rule: number | null;
  reason: string;
}

/** The last recorded pull of a manifest (written at most about once a minute per manifest). */
export interface ManifestPullsTable {
  repository: string;
  digest: string;
  pulled_at: number;
}

/** The tables this migration adds. */
export interface RetentionTables {
  retention_policies: RetentionPoliciesTable;
  retention_leases: RetentionLeasesTable;
  retention_runs: RetentionRunsTable;
  retention_decisions: RetentionDecisionsTable;
  manifest_pulls: ManifestPullsTable;
}

/** Creates the retention tables. */
export async function createRetentionTables(db: Kysely<unknown>, types: { text: RawBuilder<unknown>; serial: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder }): Promise<void> {
  const { text, serial } = types;
  await db.schema
    .createTable('retention_policies')
    .addColumn('project', text, (c) => c.primaryKey())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('scheduled', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('retention_leases')
    .addColumn('project', text, (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('retention_runs')
    .addColumn('id', 'integer', serial)
    .addColumn('project', text, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('operator', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('candidates', 'bigint', (c) => c.notNull())
    .addColumn('retained', 'bigint', (c) => c.notNull())
    .addColumn('deleted', 'bigint', (c) => c.notNull())
    .addColumn('skipped', 'bigint', (c) => c.notNull())
    .addColumn('failed', 'bigint', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('retention_runs_project').on('retention_runs').columns(['project', 'id']).execute();
  await db.schema
    .createTable('retention_decisions')
    .addColumn('run_id', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('repository', text, (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('pushed_at', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('rule', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('retention_decisions_pk', ['run_id', 'seq'])
    .execute();
  await db.schema
    .createTable('manifest_pulls')
    .addColumn('repository', text, (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('pulled_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('manifest_pulls_pk', ['repository', 'digest'])
    .execute();
}
