// The half of the SQL ModelStore that links entities: version-to-manifest bindings, aliases moved
// atomically with their history, lineage edges, model cards and model search. SqlModelStore extends it.
import { sql, type Kysely, type Transaction } from 'kysely';
import { RegistryError } from '../../core/errors.js';
import type { Entity } from '../../core/models/entity-kinds.js';
import type { AliasEvent, AliasMove, AliasRecord, Binding, LineageEdge, LineageRelation, ModelCard } from '../../core/ports/model-store.js';
import type { SqlDialect } from './migrations.js';
import type { ModelAliasEventsTable, ModelBindingsTable, ModelLineageTable } from './model-registry-schema.js';
import type { Database } from './schema.js';
import type { DomainEvent } from '../../core/events/domain-events.js';
import { insertEvents } from './sql-outbox.js';

/** Bindings, aliases, lineage, cards and search over the model tables. */
export abstract class ModelLinks {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: SqlDialect,
  ) {}

  abstract getEntities(ids: readonly number[]): Promise<Entity[]>;

  /** Runs `fn` in a transaction, reporting unique-constraint races as CONFLICT. */
  protected async write<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(fn);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new RegistryError('CONFLICT', 'a concurrent change created the same name, externalId, alias or link; retry');
      }
      throw err;
    }
  }

  /** Removes every binding, card, alias, alias event and lineage edge that involves `ids`. */
  protected async deleteLinks(trx: Transaction<Database>, ids: number[]): Promise<void> {
    await trx.deleteFrom('model_bindings').where((eb) => eb.or([eb('version_id', 'in', ids), eb('model_id', 'in', ids)])).execute();
    await trx.deleteFrom('model_cards').where('version_id', 'in', ids).execute();
    await trx.deleteFrom('model_aliases').where((eb) => eb.or([eb('model_id', 'in', ids), eb('version_id', 'in', ids)])).execute();
    await trx.deleteFrom('model_alias_events').where('model_id', 'in', ids).execute();
    await trx.deleteFrom('model_lineage').where((eb) => eb.or([eb('from_id', 'in', ids), eb('to_id', 'in', ids)])).execute();
  }

  async putBinding(b: Binding): Promise<void> {
    await this.write(async (trx) => {
      const existing = await trx.selectFrom('model_bindings').selectAll().where('version_id', '=', b.versionId).executeTakeFirst();
      if (existing) throw new RegistryError('CONFLICT', `version ${b.versionId} is already bound to ${existing.repository}@${existing.digest}`);
      const other = await trx.selectFrom('model_bindings').select('version_id').where('repository', '=', b.repository).where('digest', '=', b.digest).executeTakeFirst();
      if (other) throw new RegistryError('CONFLICT', `${b.repository}@${b.digest} is already bound to version ${other.version_id}`);
      await trx
        .insertInto('model_bindings')
        .values({ version_id: b.versionId, model_id: b.modelId, artifact_id: b.artifactId, repository: b.repository, digest: b.digest, tag: b.tag, created_at: b.createdAt })
        .execute();
    });
  }

  async getBinding(versionId: number): Promise<Binding | null> {
    const row = await this.db.selectFrom('model_bindings').selectAll().where('version_id', '=', versionId).executeTakeFirst();
    return row ? fromBinding(row) : null;
  }

  async findBinding(repository: string, digest: string): Promise<Binding | null> {
    const row = await this.db.selectFrom('model_bindings').selectAll().where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
    return row ? fromBinding(row) : null;
  }

  async findBindings(repository: string, digests: readonly string[]): Promise<Binding[]> {
    if (digests.length === 0) return [];
    return (await this.db.selectFrom('model_bindings').selectAll().where('repository', '=', repository).where('digest', 'in', [...digests]).execute()).map(fromBinding);
  }

  async listBindings(modelId: number): Promise<Binding[]> {
    return (await this.db.selectFrom('model_bindings').selectAll().where('model_id', '=', modelId).orderBy('version_id').execute()).map(fromBinding);
  }

  async moveAlias(m: AliasMove, outbox?: (move: AliasEvent) => DomainEvent[]): Promise<AliasEvent> {
    return this.write(async (trx) => {
      let current = trx.selectFrom('model_aliases').selectAll().where('model_id', '=', m.modelId).where('alias', '=', m.alias);
      if (this.dialect === 'postgres') current = current.forUpdate();
      const row = await current.executeTakeFirst();
      const from = row ? Number(row.version_id) : null;
      if (m.expectedVersionId !== undefined && m.expectedVersionId !== from) {
        throw new RegistryError('CONFLICT', `alias "${m.alias}" points at ${from === null ? 'nothing' : `version ${from}`}, not ${m.expectedVersionId === null ? 'nothing' : `version ${m.expectedVersionId}`}; it was moved meanwhile`);
      }
      if (m.versionId === null) {
        await trx.deleteFrom('model_aliases').where('model_id', '=', m.modelId).where('alias', '=', m.alias).execute();
      } else if (row) {
        await trx.updateTable('model_aliases').set({ version_id: m.versionId, updated_at: m.at, updated_by: m.actor }).where('model_id', '=', m.modelId).where('alias', '=', m.alias).execute();
      } else {
        await trx.insertInto('model_aliases').values({ model_id: m.modelId, alias: m.alias, version_id: m.versionId, updated_at: m.at, updated_by: m.actor }).execute();
      }
      const event = { model_id: m.modelId, alias: m.alias, from_version_id: from, to_version_id: m.versionId, actor: m.actor, at: m.at, reason: m.reason ?? null };
      const inserted = await trx.insertInto('model_alias_events').values(event).returning('id').executeTakeFirstOrThrow();
      const moved = fromEvent({ ...event, id: inserted.id });
      await insertEvents(trx, outbox?.(moved));
      return moved;
    });
  }

  async getAlias(modelId: number, alias: string): Promise<AliasRecord | null> {
    const row = await this.db.selectFrom('model_aliases').selectAll().where('model_id', '=', modelId).where('alias', '=', alias).executeTakeFirst();
    return row ? { modelId: Number(row.model_id), alias: row.alias, versionId: Number(row.version_id), updatedAt: Number(row.updated_at), updatedBy: row.updated_by } : null;
  }

  async listAliases(modelId: number): Promise<AliasRecord[]> {
    const rows = await this.db.selectFrom('model_aliases').selectAll().where('model_id', '=', modelId).orderBy('alias').execute();
    return rows.map((row) => ({ modelId: Number(row.model_id), alias: row.alias, versionId: Number(row.version_id), updatedAt: Number(row.updated_at), updatedBy: row.updated_by }));
  }

  async aliasHistory(modelId: number, alias: string | null, limit: number): Promise<AliasEvent[]> {
    let q = this.db.selectFrom('model_alias_events').selectAll().where('model_id', '=', modelId).orderBy('id', 'desc').limit(limit);
    if (alias !== null) q = q.where('alias', '=', alias);
    return (await q.execute()).map(fromEvent);
  }

  async addLineage(edge: Omit<LineageEdge, 'id'>): Promise<LineageEdge> {
    return this.write(async (trx) => {
      const clash = await trx.selectFrom('model_lineage').select('id').where('from_id', '=', edge.fromId).where('relation', '=', edge.relation).where('to_id', '=', edge.toId).executeTakeFirst();
      if (clash) throw new RegistryError('CONFLICT', `this lineage edge already exists (id ${clash.id})`);
      const row = await trx
        .insertInto('model_lineage')
        .values({ from_id: edge.fromId, relation: edge.relation, to_id: edge.toId, created_at: edge.createdAt, created_by: edge.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...edge, id: Number(row.id) };
    });
  }

  async removeLineage(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('model_lineage').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async getLineage(id: number): Promise<LineageEdge | null> {
    const row = await this.db.selectFrom('model_lineage').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromEdge(row) : null;
  }

  async listLineage(query: { fromId?: number | undefined; toId?: number | undefined }): Promise<LineageEdge[]> {
    if (query.fromId === undefined && query.toId === undefined) return [];
    const rows = await this.db
      .selectFrom('model_lineage')
      .selectAll()
      .where((eb) => eb.or([...(query.fromId !== undefined ? [eb('from_id', '=', query.fromId)] : []), ...(query.toId !== undefined ? [eb('to_id', '=', query.toId)] : [])]))
      .orderBy('id')
      .execute();
    return rows.map(fromEdge);
  }

  async putCard(card: ModelCard): Promise<void> {
    await this.db
      .insertInto('model_cards')
      .values({ version_id: card.versionId, path: card.path, digest: card.digest, text: card.text })
      .onConflict((oc) => oc.column('version_id').doUpdateSet({ path: card.path, digest: card.digest, text: card.text }))
      .execute();
  }

  async getCard(versionId: number): Promise<ModelCard | null> {
    const row = await this.db.selectFrom('model_cards').selectAll().where('version_id', '=', versionId).executeTakeFirst();
    return row ? { versionId: Number(row.version_id), path: row.path, digest: row.digest, text: row.text } : null;
  }

  async searchModels(q: { text: string; projects: readonly string[] | null; states: readonly string[] | null; limit: number }): Promise<Entity[]> {
    if ((q.projects !== null && q.projects.length === 0) || (q.states !== null && q.states.length === 0) || q.limit <= 0) return [];
    const pattern = `%${q.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = (expr: ReturnType<typeof sql>) => sql<boolean>`lower(${expr}) like ${pattern} escape '\\'`;
    const props = (owner: string) => sql<boolean>`exists (select 1 from model_properties p where p.entity_id = ${sql.ref(owner)} and ((p.type in ('string', 'json') and ${like(sql.ref('p.string_value'))}) or (p.custom = 1 and ${like(sql.ref('p.name'))})))`;
    const matches = sql<boolean>`(${like(sql.ref('e.name'))} or ${like(sql`coalesce(e.description, '')`)} or ${props('e.id')}
      or exists (select 1 from model_entities v where v.parent_id = e.id and v.kind = 'model-version' and (${like(sql.ref('v.name'))} or ${like(sql`coalesce(v.description, '')`)} or ${props('v.id')}
        or exists (select 1 from model_cards c where c.version_id = v.id and ${like(sql.ref('c.text'))}))))`;
    let query = this.db.selectFrom('model_entities as e').select('e.id').where('e.kind', '=', 'registered-model').where(matches).orderBy('e.updated_at', 'desc').orderBy('e.id', 'desc').limit(q.limit);
    if (q.projects !== null) query = query.where('e.project', 'in', [...q.projects]);
    if (q.states !== null) query = query.where('e.state', 'in', [...q.states]);
    return this.getEntities((await query.execute()).map((r) => Number(r.id)));
  }
}

function fromBinding(r: ModelBindingsTable): Binding {
  return { versionId: Number(r.version_id), modelId: Number(r.model_id), artifactId: Number(r.artifact_id), repository: r.repository, digest: r.digest, tag: r.tag, createdAt: Number(r.created_at) };
}

function fromEvent(r: Omit<ModelAliasEventsTable, 'id'> & { id: number | unknown }): AliasEvent {
  return {
    id: Number(r.id),
    modelId: Number(r.model_id),
    alias: r.alias,
    fromVersionId: r.from_version_id === null ? null : Number(r.from_version_id),
    toVersionId: r.to_version_id === null ? null : Number(r.to_version_id),
    actor: r.actor,
    at: Number(r.at),
    reason: r.reason,
  };
}

function fromEdge(r: Omit<ModelLineageTable, 'id'> & { id: number | unknown }): LineageEdge {
  return { id: Number(r.id), fromId: Number(r.from_id), relation: r.relation as LineageRelation, toId: Number(r.to_id), createdAt: Number(r.created_at), createdBy: r.created_by };
}
