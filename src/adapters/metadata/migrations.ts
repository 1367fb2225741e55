// Schema migrations, one list for every SQL driver; dialect differences are confined to column types.
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { createLoginFailuresTable } from './login-failures-schema.js';
import { createBlobGcTables } from './blob-gc-schema.js';
import { createModelRegistryTables } from './model-registry-migration.js';
import { createPolicyTables } from './policies-schema.js';
import { createRetentionTables } from './sql-retention-schema.js';
import { createUploadStateTables } from './upload-state-schema.js';
import { createWebhookTables } from './webhook-schema.js';

/** The SQL dialects Berth runs on. */
export type SqlDialect = 'sqlite' | 'postgres';

/** Provides the ordered migrations for `dialect`. */
export function migrationsFor(dialect: SqlDialect): MigrationProvider {
  const bytes = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const serial = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement());
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
    '0002_access': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'integer', serial)
          .addColumn('username', text, (c) => c.notNull().unique())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('sysadmin', 'integer', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('projects')
          .addColumn('id', 'integer', serial)
          .addColumn('name', text, (c) => c.notNull().unique())
          .addColumn('public', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('members')
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('role', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('members_pk', ['project_id', 'user_id'])
          .execute();
        await db.schema
          .createTable('robots')
          .addColumn('id', 'integer', serial)
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('name', text, (c) => c.notNull().unique())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('actions', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('disabled', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('access_tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('id', 'integer', serial)
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('actor_kind', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('resource', 'text', (c) => c.notNull())
          .addColumn('project', text)
          .addColumn('allowed', 'integer', (c) => c.notNull())
          .addColumn('status', 'integer', (c) => c.notNull())
          .addColumn('source_address', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_log_project').on('audit_log').columns(['project', 'id']).execute();
        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('secret', bytes, (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0003_model_registry': {
      async up(db: Kysely<unknown>) {
        await createModelRegistryTables(db, { text, serial, double: dialect === 'postgres' ? sql`double precision` : sql`real` });
      },
    },
    '0004_webhooks': {
      async up(db: Kysely<unknown>) {
        await createWebhookTables(db, { text, serial });
      },
    },
    '0005_upload_hash_state': { up: (db: Kysely<unknown>) => createUploadStateTables(db, { text, bytes }) },
    '0006_blob_gc': { up: (db: Kysely<unknown>) => createBlobGcTables(db, { text, serial }) },
    '0007_login_failures': { up: createLoginFailuresTable },
    '0008_project_policies': { up: (db: Kysely<unknown>) => createPolicyTables(db, dialect, { text, serial }) },
    '0009_retention': { up: (db: Kysely<unknown>) => createRetentionTables(db, { text, serial }) },
    '0010_project_scan_policy': {
      up: (db: Kysely<unknown>) => db.schema.alterTable('projects').addColumn('prevent_dangerous', 'integer', (c) => c.notNull().defaultTo(0)).execute(),
    },
    // Artifact listings page a repository's manifests newest first: an index keeps that a range scan.
    '0011_artifact_listing': { up: (db: Kysely<unknown>) => db.schema.createIndex('manifests_created').on('manifests').columns(['repository', 'created_at']).execute() },
  };
  return { getMigrations: async () => migrations };
}
