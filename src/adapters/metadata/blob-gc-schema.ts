// Table types and migration 0006_blob_gc (listed in migrations.ts): the blob index garbage collection
// sweeps, the last-use time of blob links, the GC lease shared by replicas, and the record of GC runs.
// src/core/oci/garbage-collector.ts explains how these rows keep a sweep safe beside live pushes.
import { sql, type ColumnDefinitionBuilder, type Generated, type Kysely, type RawBuilder } from 'kysely';

/** One committed (or being committed) blob in the BlobStore, whichever repositories link it. */
export interface BlobsTable {
  digest: string;
  size: number;
  /** Last claim, link or confirmation (ms since the epoch); GC spares blobs touched within its grace window. */
  touched_at: number;
  /** `live`, or `sweeping` while a GC deletes its bytes (no link may be created then). */
  state: string;
  /** When a GC marked it `sweeping` (null while live). */
  marked_at: number | null;
}

/** The lease that lets one GC at a time run across replicas. */
export interface GcLeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** One finished (or failed) GC run. */
export interface GcRunsTable {
  id: Generated<number>;
  holder: string;
  started_at: number;
  duration_ms: number;
  dry_run: number;
  grace_seconds: number;
  links_deleted: number;
  blobs_deleted: number;
  bytes_freed: number;
  error: string | null;
}

/** The tables this migration adds. */
export interface BlobGcTables {
  blobs: BlobsTable;
  gc_lease: GcLeaseTable;
  gc_runs: GcRunsTable;
}

/** Creates the GC tables and backfills the blob index from the existing blob links. */
export async function createBlobGcTables(db: Kysely<unknown>, types: { text: RawBuilder<unknown>; serial: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder }): Promise<void> {
  const { text, serial } = types;
  await db.schema
    .createTable('blobs')
    .addColumn('digest', text, (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('touched_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('marked_at', 'bigint')
    .execute();
  await db.schema.alterTable('blob_links').addColumn('touched_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update blob_links set touched_at = created_at`.execute(db);
  // Existing blobs count as touched now: nothing is collected until a grace window after the upgrade.
  await sql`insert into blobs (digest, size, touched_at, state) select digest, max(size), ${Date.now()}, 'live' from blob_links group by digest`.execute(db);
  await db.schema
    .createTable('gc_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('gc_runs')
    .addColumn('id', 'integer', serial)
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('grace_seconds', 'bigint', (c) => c.notNull())
    .addColumn('links_deleted', 'bigint', (c) => c.notNull())
    .addColumn('blobs_deleted', 'bigint', (c) => c.notNull())
    .addColumn('bytes_freed', 'bigint', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
}
