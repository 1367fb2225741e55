// ModelStore on a relational database through Kysely; the same code serves SQLite and PostgreSQL.
// Entities live in `model_entities`, their built-in fields and custom properties in typed columns of
// `model_properties`; aliases, lineage, bindings and cards are in sql-model-links.ts.
import { sql, type Kysely, type Transaction } from 'kysely';
import { RegistryError } from '../../core/errors.js';
import { KIND_SPECS, type Entity, type EntityKind, type FieldValue } from '../../core/models/entity-kinds.js';
import type { CustomProperties, MetadataValue } from '../../core/models/metadata-value.js';
import type { EntityPatch, EntityQuery, ModelStore, NewEntity } from '../../core/ports/model-store.js';
import type { SqlDialect } from './migrations.js';
import type { ModelEntitiesTable, ModelPropertiesTable } from './model-registry-schema.js';
import type { Database } from './schema.js';
import { compileFilterSql } from './sql-model-filter.js';
import { ModelLinks } from './sql-model-links.js';
import type { DomainEvent } from '../../core/events/domain-events.js';
import { insertEvents } from './sql-outbox.js';

const CHUNK = 500;
const ORDER_COLUMNS = { ID: 'e.id', CREATE_TIME: 'e.created_at', LAST_UPDATE_TIME: 'e.updated_at' } as const;

type EntityRow = Omit<ModelEntitiesTable, 'id'> & { id: number };
type PropertyRow = ModelPropertiesTable;

/** A ModelStore over an open, migrated Kysely database. */
export class SqlModelStore extends ModelLinks implements ModelStore {
  constructor(db: Kysely<Database>, dialect: SqlDialect) {
    super(db, dialect);
  }

  async createEntity(entity: NewEntity, outbox?: (id: number) => DomainEvent[]): Promise<Entity> {
    const id = await this.write(async (trx) => {
      await this.checkUnique(trx, entity.kind, scopeOf(entity), entity.name, entity.externalId, null);
      const row = await trx
        .insertInto('model_entities')
        .values({ ...toRow(entity), created_at: entity.createdAt, updated_at: entity.createdAt })
        .returning('id')
        .executeTakeFirstOrThrow();
      await insertProperties(trx, Number(row.id), entity.kind, entity.fields, entity.customProperties);
      await insertEvents(trx, outbox?.(Number(row.id)));
      return Number(row.id);
    });
    return (await this.getEntity(id))!;
  }

  async updateEntity(id: number, patch: EntityPatch, events?: readonly DomainEvent[]): Promise<Entity | null> {
    const found = await this.write(async (trx) => {
      const row = await trx.selectFrom('model_entities').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return false;
      const next = {
        description: patch.description !== undefined ? patch.description : row.description,
        external_id: patch.externalId !== undefined ? patch.externalId : row.external_id,
        state: patch.state !== undefined ? patch.state : row.state,
        project: patch.project ?? row.project,
        parent_id: patch.parentId !== undefined ? patch.parentId : row.parent_id,
        run_id: patch.runId !== undefined ? patch.runId : row.run_id,
      };
      const kind = row.kind as EntityKind;
      const scope = scopeOf({ kind, parentId: next.parent_id, runId: next.run_id });
      await this.checkUnique(trx, kind, scope, row.name, next.external_id, id);
      await trx
        .updateTable('model_entities')
        .set({ ...next, scope_id: scope, uname: KIND_SPECS[kind].uniqueNames ? row.name : null, updated_at: patch.updatedAt })
        .where('id', '=', id)
        .execute();
      for (const [name, value] of Object.entries(patch.fields ?? {})) {
        await trx.deleteFrom('model_properties').where('entity_id', '=', id).where('custom', '=', 0).where('name', '=', name).execute();
        if (value !== null) await insertProperties(trx, id, kind, { [name]: value }, {});
      }
      if (patch.customProperties) {
        await trx.deleteFrom('model_properties').where('entity_id', '=', id).where('custom', '=', 1).execute();
        await insertProperties(trx, id, kind, {}, patch.customProperties);
      }
      await insertEvents(trx, events);
      return true;
    });
    return found ? this.getEntity(id) : null;
  }

  async getEntity(id: number): Promise<Entity | null> {
    return (await this.getEntities([id]))[0] ?? null;
  }

  async getEntities(ids: readonly number[]): Promise<Entity[]> {
    const rows: EntityRow[] = [];
    for (const part of chunks([...new Set(ids)])) {
      rows.push(...(await this.db.selectFrom('model_entities').selectAll().where('id', 'in', part).execute()).map(normalise));
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    return this.hydrate(ids.map((id) => byId.get(id)).filter((r): r is EntityRow => r !== undefined));
  }

  async listEntities(q: EntityQuery): Promise<Entity[]> {
    if (q.kinds.length === 0 || (q.projects !== null && q.projects.length === 0) || q.limit <= 0) return [];
    const column = ORDER_COLUMNS[q.orderBy];
    const dir = q.sortOrder === 'DESC' ? 'desc' : 'asc';
    let query = this.db
      .selectFrom('model_entities as e')
      .selectAll('e')
      .where('e.kind', 'in', [...q.kinds])
      .orderBy(sql.ref(column), dir)
      .orderBy(sql.ref('e.id'), dir)
      .limit(q.limit);
    if (q.parentId !== undefined) query = query.where('e.parent_id', '=', q.parentId);
    if (q.runId !== undefined) query = query.where('e.run_id', '=', q.runId);
    if (q.name !== undefined) query = query.where('e.name', '=', q.name);
    if (q.externalId !== undefined) query = query.where('e.external_id', '=', q.externalId);
    if (q.projects !== null) query = query.where('e.project', 'in', [...q.projects]);
    if (q.filter) query = query.where(compileFilterSql(q.filter, this.dialect));
    if (q.after) {
      const { id, value } = q.after;
      const op = sql.raw(q.sortOrder === 'DESC' ? '<' : '>');
      query = q.orderBy === 'ID'
        ? query.where(sql<boolean>`e.id ${op} ${id}`)
        : query.where(sql<boolean>`(${sql.ref(column)} ${op} ${value} or (${sql.ref(column)} = ${value} and e.id ${op} ${id}))`);
    }
    return this.hydrate((await query.execute()).map(normalise));
  }

  async deleteEntities(ids: readonly number[], events?: readonly DomainEvent[]): Promise<void> {
    if (ids.length === 0) return;
    await this.write(async (trx) => {
      await insertEvents(trx, events);
      for (const part of chunks([...new Set(ids)])) {
        await this.deleteLinks(trx, part);
        await trx.deleteFrom('model_properties').where('entity_id', 'in', part).execute();
        await trx.deleteFrom('model_entities').where('id', 'in', part).execute();
      }
    });
  }

  /** Loads the properties of `rows` and builds entities in the same order. */
  private async hydrate(rows: EntityRow[]): Promise<Entity[]> {
    const props = new Map<number, PropertyRow[]>();
    for (const part of chunks(rows.map((r) => r.id))) {
      for (const p of await this.db.selectFrom('model_properties').selectAll().where('entity_id', 'in', part).orderBy('name').execute()) {
        const list = props.get(Number(p.entity_id)) ?? [];
        list.push(p);
        props.set(Number(p.entity_id), list);
      }
    }
    return rows.map((r) => fromRow(r, props.get(r.id) ?? []));
  }

  /** Throws CONFLICT when the name is taken in its scope or the externalId anywhere (ignoring entity `self`). */
  private async checkUnique(trx: Transaction<Database>, kind: EntityKind, scope: number, name: string | null, externalId: string | null, self: number | null): Promise<void> {
    if (name !== null && KIND_SPECS[kind].uniqueNames) {
      const clash = await trx.selectFrom('model_entities').select('id').where('kind', '=', kind).where('scope_id', '=', scope).where('uname', '=', name).executeTakeFirst();
      if (clash && Number(clash.id) !== self) throw new RegistryError('CONFLICT', `a ${kind} named "${name}" already exists here (id ${clash.id})`);
    }
    if (externalId !== null) {
      const clash = await trx.selectFrom('model_entities').select(['id', 'kind']).where('external_id', '=', externalId).executeTakeFirst();
      if (clash && Number(clash.id) !== self) throw new RegistryError('CONFLICT', `externalId "${externalId}" is already used by ${clash.kind} ${clash.id}`);
    }
  }
}

/** The uniqueness scope of a name: the parent, else the run, else global. */
function scopeOf(e: { kind: EntityKind; parentId: number | null; runId: number | null }): number {
  return e.parentId ?? e.runId ?? 0;
}

function toRow(e: NewEntity): Omit<ModelEntitiesTable, 'id' | 'created_at' | 'updated_at'> {
  return {
    kind: e.kind,
    name: e.name,
    uname: KIND_SPECS[e.kind].uniqueNames ? e.name : null,
    scope_id: scopeOf(e),
    external_id: e.externalId,
    description: e.description,
    project: e.project,
    parent_id: e.parentId,
    run_id: e.runId,
    state: e.state,
  };
}

function normalise(r: ModelEntitiesTable | EntityRow): EntityRow {
  return {
    ...r,
    id: Number(r.id),
    scope_id: Number(r.scope_id),
    parent_id: r.parent_id === null ? null : Number(r.parent_id),
    run_id: r.run_id === null ? null : Number(r.run_id),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}

function fromRow(r: EntityRow, props: PropertyRow[]): Entity {
  const fields: Record<string, FieldValue> = {};
  const customProperties: CustomProperties = {};
  for (const p of props) {
    if (p.custom) customProperties[p.name] = toMetadataValue(p);
    else fields[p.name] = p.type === 'json' ? (JSON.parse(p.string_value ?? '[]') as string[]) : p.type === 'string' ? (p.string_value ?? '') : Number(p.type === 'int' ? p.int_value : p.double_value);
  }
  return {
    id: r.id,
    kind: r.kind as EntityKind,
    name: r.name,
    externalId: r.external_id,
    description: r.description,
    project: r.project,
    parentId: r.parent_id,
    runId: r.run_id,
    state: r.state,
    fields,
    customProperties,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toMetadataValue(p: PropertyRow): MetadataValue {
  switch (p.type) {
    case 'int':
      return { metadataType: 'MetadataIntValue', int_value: String(Number(p.int_value)) };
    case 'double':
      return { metadataType: 'MetadataDoubleValue', double_value: Number(p.double_value) };
    case 'bool':
      return { metadataType: 'MetadataBoolValue', bool_value: Number(p.bool_value) === 1 };
    case 'struct':
      return { metadataType: 'MetadataStructValue', struct_value: p.string_value ?? '' };
    case 'proto': {
      const proto = JSON.parse(p.string_value ?? '{}') as { type?: string; value?: string };
      return { metadataType: 'MetadataProtoValue', type: proto.type ?? '', proto_value: proto.value ?? '' };
    }
    default:
      return { metadataType: 'MetadataStringValue', string_value: p.string_value ?? '' };
  }
}

async function insertProperties(trx: Transaction<Database>, entityId: number, kind: EntityKind, fields: Record<string, FieldValue>, custom: CustomProperties): Promise<void> {
  const rows: PropertyRow[] = [];
  const base = { entity_id: entityId, string_value: null, int_value: null, double_value: null, bool_value: null };
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) rows.push({ ...base, custom: 0, name, type: 'json', string_value: JSON.stringify(value) });
    else if (typeof value === 'string') rows.push({ ...base, custom: 0, name, type: 'string', string_value: value });
    else if (KIND_SPECS[kind].fields[name] === 'int') rows.push({ ...base, custom: 0, name, type: 'int', int_value: value });
    else rows.push({ ...base, custom: 0, name, type: 'double', double_value: value });
  }
  for (const [name, v] of Object.entries(custom)) {
    const row = { ...base, custom: 1, name };
    if (v.metadataType === 'MetadataStringValue') rows.push({ ...row, type: 'string', string_value: v.string_value });
    else if (v.metadataType === 'MetadataIntValue') rows.push({ ...row, type: 'int', int_value: Number(v.int_value) });
    else if (v.metadataType === 'MetadataDoubleValue') rows.push({ ...row, type: 'double', double_value: v.double_value });
    else if (v.metadataType === 'MetadataBoolValue') rows.push({ ...row, type: 'bool', bool_value: v.bool_value ? 1 : 0 });
    else if (v.metadataType === 'MetadataStructValue') rows.push({ ...row, type: 'struct', string_value: v.struct_value });
    else rows.push({ ...row, type: 'proto', string_value: JSON.stringify({ type: v.type, value: v.proto_value }) });
  }
  for (const part of chunks(rows)) await trx.insertInto('model_properties').values(part).execute();
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
