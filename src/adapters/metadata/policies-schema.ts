// Table types and migration 0008_project_policies (listed in migrations.ts): tag immutability rules,
// project quotas with their booked usage, and the distinct content each project references (what
// makes usage incremental: a push adds only the sizes of digests its project has no row for).
import { sql, type ColumnDefinitionBuilder, type Generated, type Kysely, type RawBuilder } from 'kysely';
import type { SqlDialect } from './migrations.js';

/** A tag immutability rule. */
export interface ImmutableRulesTable {
  id: Generated<number>;
  project: string;
  repository: string;
  repository_decoration: string;
  tag: string;
  tag_decoration: string;
  disabled: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** A project's hard limit (null: the system default) and the bytes its manifests reference. */
export interface ProjectQuotasTable {
  project: string;
  hard: number | null;
  used: number;
  updated_at: number;
}

/**
 * One distinct digest a project references (a manifest, or a blob a manifest of it references), with
 * its size and how many manifest rows of the project account for it; the row goes when that is 0.
 */
export interface ProjectBlobsTable {
  project: string;
  digest: string;
  size: number;
  refs: number;
}

/** The tables this migration adds. */
export interface PolicyTables {
  immutable_rules: ImmutableRulesTable;
  project_quotas: ProjectQuotasTable;
  project_blobs: ProjectBlobsTable;
}

/** SQL for the project part of `manifests.repository`-like column `column` (the text before the first `/`). */
export function projectOfColumn(dialect: SqlDialect, column: string): RawBuilder<string> {
  const c = sql.ref(column);
  return dialect === 'postgres'
    ? sql<string>`split_part(${c}, '/', 1)`
    : sql<string>`(case when instr(${c}, '/') > 0 then substr(${c}, 1, instr(${c}, '/') - 1) else ${c} end)`;
}

/** Creates the policy tables and books the usage of the content already stored. */
export async function createPolicyTables(db: Kysely<unknown>, dialect: SqlDialect, types: { text: RawBuilder<unknown>; serial: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder }): Promise<void> {
  const { text, serial } = types;
  await db.schema
    .createTable('immutable_rules')
    .addColumn('id', 'integer', serial)
    .addColumn('project', text, (c) => c.notNull())
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('repository_decoration', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('tag_decoration', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('immutable_rules_project').on('immutable_rules').columns(['project', 'id']).execute();
  await db.schema
    .createTable('project_quotas')
    .addColumn('project', text, (c) => c.primaryKey())
    .addColumn('hard', 'bigint')
    .addColumn('used', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('project_blobs')
    .addColumn('project', text, (c) => c.notNull())
    .addColumn('digest', text, (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('refs', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_blobs_pk', ['project', 'digest'])
    .execute();
  const project = (column: string) => projectOfColumn(dialect, column);
  await sql`
    insert into project_blobs (project, digest, size, refs)
    select project, digest, max(size), count(*) from (
      select ${project('m.repository')} as project, m.digest as digest, m.size as size from manifests m
      union all
      select ${project('r.repository')} as project, r.digest as digest, coalesce(b.size, 0) as size
      from manifest_references r left join blobs b on b.digest = r.digest where r.kind = 'blob'
    ) x group by project, digest`.execute(db);
  await sql`insert into project_quotas (project, hard, used, updated_at) select project, null, sum(size), ${Date.now()} from project_blobs group by project`.execute(db);
}
