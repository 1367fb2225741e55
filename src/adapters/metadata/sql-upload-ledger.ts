// UploadLedger on the relational database (SQLite or PostgreSQL, tables of migration
// 0005_upload_hash_state), so every replica sees the same parts and layouts of an upload.
import { sql, type Kysely } from 'kysely';
import type { UploadLayoutRecord, UploadLedger } from '../../core/ports/upload-ledger.js';
import type { Database } from './schema.js';
import type { UploadLayoutsTable } from './upload-state-schema.js';

/** An UploadLedger over an open, migrated Kysely database. */
export class SqlUploadLedger implements UploadLedger {
  constructor(private readonly db: Kysely<Database>) {}

  async nextPart(id: string): Promise<number> {
    const row = await this.db
      .insertInto('upload_ledger')
      .values({ upload_id: id, last_part: 1, updated_at: Date.now() })
      .onConflict((oc) => oc.column('upload_id').doUpdateSet({ last_part: sql`upload_ledger.last_part + 1`, updated_at: Date.now() }))
      .returning('last_part')
      .executeTakeFirstOrThrow();
    return Number(row.last_part);
  }

  async get(id: string, version: string): Promise<UploadLayoutRecord | null> {
    const row = await this.db.selectFrom('upload_layouts').selectAll().where('upload_id', '=', id).where('version', '=', version).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async put(id: string, record: UploadLayoutRecord): Promise<void> {
    const values = { size: record.size, layout: record.layout, updated_at: record.updatedAt.getTime() };
    await this.db
      .insertInto('upload_layouts')
      .values({ upload_id: id, version: record.version, ...values })
      .onConflict((oc) => oc.columns(['upload_id', 'version']).doUpdateSet(values))
      .execute();
  }

  async dropBelow(id: string, size: number): Promise<UploadLayoutRecord[]> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('upload_layouts').selectAll().where('upload_id', '=', id).where('size', '<', size).execute();
      if (rows.length > 0) await trx.deleteFrom('upload_layouts').where('upload_id', '=', id).where('size', '<', size).execute();
      return rows.map(fromRow);
    });
  }

  async list(id: string): Promise<UploadLayoutRecord[]> {
    const rows = await this.db.selectFrom('upload_layouts').selectAll().where('upload_id', '=', id).orderBy('size').orderBy('version').execute();
    return rows.map(fromRow);
  }

  async forget(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('upload_layouts').where('upload_id', '=', id).execute();
      await trx.deleteFrom('upload_ledger').where('upload_id', '=', id).execute();
    });
  }

  async idleBefore(before: Date): Promise<string[]> {
    const layouts = this.db.selectFrom('upload_layouts').select(['upload_id', 'updated_at']);
    const counters = this.db.selectFrom('upload_ledger').select(['upload_id', 'updated_at']);
    const rows = await this.db
      .selectFrom(layouts.unionAll(counters).as('u'))
      .select('u.upload_id')
      .groupBy('u.upload_id')
      .having((eb) => eb.fn.max('u.updated_at'), '<', before.getTime())
      .orderBy('u.upload_id')
      .execute();
    return rows.map((r) => r.upload_id);
  }
}

function fromRow(r: UploadLayoutsTable): UploadLayoutRecord {
  return { version: r.version, size: Number(r.size), layout: r.layout, updatedAt: new Date(Number(r.updated_at)) };
}
