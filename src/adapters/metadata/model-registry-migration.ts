// Migration 0003_model_registry (listed in migrations.ts): the tables of model metadata. One entity
// table for every Kubeflow type plus one property table (built-in fields and typed custom
// properties), the way ML Metadata stores them, so one filter compiler serves every type.
import type { ColumnDefinitionBuilder, Kysely, RawBuilder } from 'kysely';

/** Dialect-specific column types, as migrations.ts defines them. */
export interface ColumnTypes {
  text: RawBuilder<unknown>;
  serial: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  double: RawBuilder<unknown>;
}

/** Creates the model metadata tables. */
export async function createModelRegistryTables(db: Kysely<unknown>, { text, serial, double }: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('model_entities')
    .addColumn('id', 'integer', serial)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', text)
    // The name when it must be unique within the scope (null otherwise), and that scope: the parent, the run or 0.
    .addColumn('uname', text)
    .addColumn('scope_id', 'bigint', (c) => c.notNull())
    .addColumn('external_id', text, (c) => c.unique())
    .addColumn('description', 'text')
    .addColumn('project', text, (c) => c.notNull())
    .addColumn('parent_id', 'integer')
    .addColumn('run_id', 'integer')
    .addColumn('state', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_entities_unique_name').on('model_entities').columns(['kind', 'scope_id', 'uname']).unique().execute();
  await db.schema.createIndex('model_entities_parent').on('model_entities').columns(['parent_id', 'kind']).execute();
  await db.schema.createIndex('model_entities_run').on('model_entities').columns(['run_id', 'kind']).execute();
  await db.schema.createIndex('model_entities_kind').on('model_entities').columns(['kind', 'project', 'id']).execute();

  await db.schema
    .createTable('model_properties')
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('model_entities.id').onDelete('cascade'))
    .addColumn('custom', 'integer', (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('string_value', 'text')
    .addColumn('int_value', 'bigint')
    .addColumn('double_value', double)
    .addColumn('bool_value', 'integer')
    .addPrimaryKeyConstraint('model_properties_pk', ['entity_id', 'custom', 'name'])
    .execute();
  await db.schema.createIndex('model_properties_name').on('model_properties').columns(['name', 'custom']).execute();

  await db.schema
    .createTable('model_bindings')
    .addColumn('version_id', 'integer', (c) => c.primaryKey())
    .addColumn('model_id', 'integer', (c) => c.notNull())
    .addColumn('artifact_id', 'integer', (c) => c.notNull())
    .addColumn('repository', text, (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('tag', text, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_bindings_manifest').on('model_bindings').columns(['repository', 'digest']).unique().execute();
  await db.schema.createIndex('model_bindings_model').on('model_bindings').column('model_id').execute();

  await db.schema
    .createTable('model_aliases')
    .addColumn('model_id', 'integer', (c) => c.notNull())
    .addColumn('alias', text, (c) => c.notNull())
    .addColumn('version_id', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_aliases_pk', ['model_id', 'alias'])
    .execute();
  await db.schema.createIndex('model_aliases_version').on('model_aliases').column('version_id').execute();
  await db.schema
    .createTable('model_alias_events')
    .addColumn('id', 'integer', serial)
    .addColumn('model_id', 'integer', (c) => c.notNull())
    .addColumn('alias', text, (c) => c.notNull())
    .addColumn('from_version_id', 'integer')
    .addColumn('to_version_id', 'integer')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('model_alias_events_alias').on('model_alias_events').columns(['model_id', 'alias', 'id']).execute();

  await db.schema
    .createTable('model_lineage')
    .addColumn('id', 'integer', serial)
    .addColumn('from_id', 'integer', (c) => c.notNull())
    .addColumn('relation', 'text', (c) => c.notNull())
    .addColumn('to_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_lineage_edge').on('model_lineage').columns(['from_id', 'relation', 'to_id']).unique().execute();
  await db.schema.createIndex('model_lineage_to').on('model_lineage').column('to_id').execute();

  await db.schema
    .createTable('model_cards')
    .addColumn('version_id', 'integer', (c) => c.primaryKey())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .execute();
}
