// Lineage: where a model version comes from. A version is fine-tuned-from or quantized-from another
// version, trained-on a dataset artifact, produced-by an experiment run. Edges are stored once and
// read both ways: what a version derives from (upstream) and what derives from it (downstream).
import { RegistryError } from '../errors.js';
import { LINEAGE_RELATIONS, type LineageEdge, type LineageRelation } from '../ports/model-store.js';
import type { Entity, EntityKind } from './entity-kinds.js';
import { requireAllowed, requireVisible, type ModelAccess } from './model-access.js';
import type { ModelService } from './model-service.js';

/** What each relation may point at. */
const TARGETS: Record<LineageRelation, EntityKind> = {
  'fine-tuned-from': 'model-version',
  'quantized-from': 'model-version',
  'trained-on': 'dataset-artifact',
  'produced-by': 'experiment-run',
};

/** The other end of a lineage edge: a version by model and name, or any entity by id. */
export type LineageTarget = { model: string; version: string } | { id: number };

/** An edge with the entity at its other end. */
export interface LineageLink {
  edge: LineageEdge;
  entity: Entity;
}

/** Lineage of an entity, both ways. */
export interface Lineage {
  entity: Entity;
  /** What this entity derives from. */
  upstream: LineageLink[];
  /** What derives from this entity. */
  downstream: LineageLink[];
}

/** Lineage operations for the caller. */
export class ModelLineage {
  constructor(private readonly models: ModelService) {}

  /** Records that version `version` of `name` relates to `target`. */
  async add(access: ModelAccess, name: string, version: string, relation: LineageRelation, target: LineageTarget): Promise<LineageLink> {
    if (!LINEAGE_RELATIONS.includes(relation)) throw new RegistryError('INVALID', `relation must be one of ${LINEAGE_RELATIONS.join(', ')}`);
    const { model, version: from } = await this.models.version(access, name, version);
    await requireAllowed(access, model.project, 'push', `record lineage of "${name}"`);
    const to = 'id' in target ? await this.visible(access, target.id) : (await this.models.version(access, target.model, target.version)).version;
    if (to.kind !== TARGETS[relation]) throw new RegistryError('INVALID', `${relation} points at a ${TARGETS[relation]}, and ${to.id} is a ${to.kind}`);
    if (to.id === from.id) throw new RegistryError('INVALID', 'a version cannot derive from itself');
    const edge = await this.models.store.addLineage({ fromId: from.id, relation, toId: to.id, createdAt: this.models.clock.now().getTime(), createdBy: access.actor });
    return { edge, entity: to };
  }

  /** Removes an edge leaving version `version` of `name`. */
  async remove(access: ModelAccess, name: string, version: string, edgeId: number): Promise<void> {
    const { model, version: from } = await this.models.version(access, name, version);
    await requireAllowed(access, model.project, 'push', `change lineage of "${name}"`);
    const edge = await this.models.store.getLineage(edgeId);
    if (!edge || edge.fromId !== from.id) throw new RegistryError('NOT_FOUND', `version "${version}" of "${name}" has no lineage edge ${edgeId}`);
    await this.models.store.removeLineage(edgeId);
  }

  /** Lineage of a version, both ways. */
  async ofVersion(access: ModelAccess, name: string, version: string): Promise<Lineage> {
    return this.of(access, (await this.models.version(access, name, version)).version);
  }

  /** Lineage of any entity (a dataset or run: what was trained on it or produced by it), both ways. */
  async ofEntity(access: ModelAccess, id: number): Promise<Lineage> {
    return this.of(access, await this.visible(access, id));
  }

  private async of(access: ModelAccess, entity: Entity): Promise<Lineage> {
    const [up, down] = await Promise.all([this.models.store.listLineage({ fromId: entity.id }), this.models.store.listLineage({ toId: entity.id })]);
    const others = await this.models.store.getEntities([...up.map((e) => e.toId), ...down.map((e) => e.fromId)]);
    const readable = await access.readableProjects();
    const byId = new Map(others.filter((o) => readable === null || readable.includes(o.project)).map((o) => [o.id, o]));
    const link = (edge: LineageEdge, id: number): LineageLink[] => {
      const other = byId.get(id);
      return other ? [{ edge, entity: other }] : [];
    };
    return { entity, upstream: up.flatMap((e) => link(e, e.toId)), downstream: down.flatMap((e) => link(e, e.fromId)) };
  }

  private async visible(access: ModelAccess, id: number): Promise<Entity> {
    const entity = await this.models.store.getEntity(id);
    if (!entity) throw new RegistryError('NOT_FOUND', `entity ${id} not found`);
    await requireVisible(access, entity.project, `entity ${id}`);
    return entity;
  }
}
