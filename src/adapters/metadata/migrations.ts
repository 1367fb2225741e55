// Schema migrations, one list for every SQL driver; dialect differences are confined to column types.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** The SQL dialects Berth runs on. */
export type SqlDialect = 'sqlite' | 'postgres';

/** Provides the ordered migrations for `dialect`. */
export function migrationsFor(dialect: SqlDialect): MigrationProvider {
  const bytes = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const migrations: Record<string, Migration> = {
    '0001_oci_registry': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('repositories')
          .addColumn('name', text, (c) => c.primaryKey())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('blob_links')
          .addColumn('repository', text, (c) => c.notNull())
          .addColumn('digest', text, (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('blob_links_pk', ['repository', 'digest'])
          .execute();
        await db.schema.createIndex('blob_links_digest').on('blob_links').column('digest').execute();
        await db.schema
          .createTable('uploads')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('repository', text, (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('algorithm', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('uploads_updated').on('uploads').column('updated_at').execute();
        await db.schema
          .createTable('manifests')
          .addColumn('repository', text, (c) => c.notNull())
          .addColumn('digest', text, (c) => c.notNull())
          .addColumn('media_type', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('content', bytes, (c) => c.notNull())
          .addColumn('subject', 'text')
          .addColumn('artifact_type', 'text')
          .addColumn('annotations', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('manifests_pk', ['repository', 'digest'])
          .execute();
        await db.schema.createIndex('manifests_subject').on('manifests').columns(['repository', 'subject', 'digest']).execute();
        await db.schema
          .createTable('manifest_references')
          .addColumn('repository', text, (c) => c.notNull())
          .addColumn('manifest_digest', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('manifest_references_pk', ['repository', 'manifest_digest', 'digest'])
          .execute();
        await db.schema.createIndex('manifest_references_digest').on('manifest_references').column('digest').execute();
        await db.schema
          .createTable('tags')
          .addColumn('repository', text, (c) => c.notNull())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('tags_pk', ['repository', 'name'])
          .execute();
        await db.schema.createIndex('tags_digest').on('tags').columns(['repository', 'digest']).execute();
      },
    },
  };
  return { getMigrations: async () => migrations };
}
