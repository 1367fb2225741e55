// Table types and migration 0005_upload_hash_state (listed in migrations.ts): what lets any replica
// continue an upload another began. The uploads row gains the resumable digest state of its
// acknowledged bytes and the version naming their stored layout (both moved by the same
// compare-and-set as the size); upload_ledger and upload_layouts are the UploadLedger of object-store
// drivers (S3 parts and tail objects per version, and a part-number counter).
import type { Kysely, RawBuilder } from 'kysely';

/** The part-number counter of an upload in an object store. */
export interface UploadLedgerTable {
  upload_id: string;
  /** The last part number handed out. */
  last_part: number;
  updated_at: number;
}

/** One recorded layout of an upload's first `size` bytes. */
export interface UploadLayoutsTable {
  upload_id: string;
  version: string;
  size: number;
  layout: string;
  updated_at: number;
}

/** The tables this migration adds. */
export interface UploadStateTables {
  upload_ledger: UploadLedgerTable;
  upload_layouts: UploadLayoutsTable;
}

/** Adds the resumable-state columns to uploads and creates the ledger tables. */
export async function createUploadStateTables(db: Kysely<unknown>, types: { text: RawBuilder<unknown>; bytes: RawBuilder<unknown> }): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('hash_state', types.bytes).execute();
  await db.schema.alterTable('uploads').addColumn('blob_version', 'text').execute();
  await db.schema
    .createTable('upload_ledger')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('last_part', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('upload_layouts')
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('version', types.text, (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('layout', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_layouts_pk', ['upload_id', 'version'])
    .execute();
  await db.schema.createIndex('upload_layouts_updated').on('upload_layouts').column('updated_at').execute();
}
