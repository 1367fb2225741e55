// The Kubeflow Model Registry operations over model metadata, for every kind alike: create, update,
// get, find, list (paged and filtered) and upserting artifacts into versions and experiment runs,
// with project permissions (read: pull, write: push) and the rules that tie metadata to artifacts:
// a bound version's artifact URI never changes, and a Berth `oci://` URI must name a manifest.
// https://github.com/kubeflow/model-registry/blob/main/api/openapi/model-registry.yaml
import { projectOf } from '../access/permissions.js';
import { RegistryError } from '../errors.js';
import type { RegistryService } from '../oci/registry.js';
import type { Clock } from '../ports/clock.js';
import type { EntityPatch, ModelStore } from '../ports/model-store.js';
import { ARTIFACT_KINDS, KIND_SPECS, isArtifactKind, type Entity, type EntityKind } from './entity-kinds.js';
import { presentFields, validateInput, type EntityInput } from './entity-input.js';
import { compileFilter, type FilterNode } from './filter-binding.js';
import { requireAllowed, requireVisible, type ModelAccess } from './model-access.js';
import { versionEvent } from './model-events.js';
import { localHosts, parseOciUri } from './oci-uri.js';
import { pageRequest, toPage, type ResultPage } from './paging.js';

/** List parameters as a query string carries them. */
export interface ListParams {
  parentId?: number | undefined;
  runId?: number | undefined;
  name?: string | undefined;
  externalId?: string | undefined;
  filterQuery?: string | undefined;
  pageSize?: string | undefined;
  orderBy?: string | undefined;
  sortOrder?: string | undefined;
  nextPageToken?: string | undefined;
  /** An extra condition the surface adds (e.g. the steps of a metric history). */
  where?: FilterNode | undefined;
}

/** Where an upserted artifact goes. */
export type ArtifactOwner = { versionId: number } | { runId: number };

/** Model metadata operations, permission-checked for the caller. */
export class MetadataService {
  constructor(
    private readonly store: ModelStore,
    private readonly registry: Pick<RegistryService, 'statManifest'>,
    private readonly clock: Clock,
    /** Host names of this Berth in `oci://` URIs (external URL, listen address). */
    private readonly hosts: readonly string[],
  ) {}

  /** Creates an entity of `kind` from a decoded body. */
  async create(access: ModelAccess, kind: EntityKind, input: EntityInput): Promise<Entity> {
    validateInput(kind, input);
    const fields = { ...FIELD_DEFAULTS[kind], ...presentFields(input) };
    const owner = await this.ownerOf(access, kind, input, fields);
    const topLevel = owner.parentId === null && owner.runId === null && kind !== 'inference-service';
    if (topLevel) await access.ensureProject(owner.project);
    await requireAllowed(access, owner.project, 'push', `create a ${kind}`, topLevel ? ' (a name starts with its project, <project>/<name>, and the project must exist)' : '');
    if (kind === 'model-artifact' && typeof fields.uri === 'string') await this.checkOciUri(access, fields.uri);
    const at = this.clock.now().getTime();
    const parent = kind === 'model-version' && owner.parentId !== null ? await this.store.getEntity(owner.parentId) : null;
    const outbox = parent ? (id: number) => [versionEvent('model_version.created', parent, { id, name: input.name ?? null }, access.actor, at)] : undefined;
    return this.store.createEntity({
      kind,
      name: input.name ?? null,
      externalId: input.externalId ?? null,
      description: input.description ?? null,
      project: owner.project,
      parentId: owner.parentId,
      runId: owner.runId,
      state: input.state ?? KIND_SPECS[kind].defaultState,
      fields,
      customProperties: input.customProperties ?? {},
      createdAt: at,
    }, outbox);
  }

  /** Applies a PATCH to entity `id`, which must be one of `kinds`. */
  async update(access: ModelAccess, kinds: readonly EntityKind[], id: number, input: EntityInput, extra: Partial<EntityPatch> = {}): Promise<Entity> {
    const entity = await this.get(access, kinds, id);
    await requireAllowed(access, entity.project, 'push', `update ${entity.kind} ${id}`);
    if (input.name !== undefined && input.name !== entity.name) throw new RegistryError('INVALID', `the name of ${entity.kind} ${id} cannot be changed`);
    if (input.parentId !== undefined && input.parentId !== entity.parentId) throw new RegistryError('INVALID', `${KIND_SPECS[entity.kind].parentName ?? 'the parent'} of ${entity.kind} ${id} cannot be changed`);
    validateInput(entity.kind, { ...input, name: undefined });
    const fields = presentFields(input);
    if (entity.kind === 'inference-service' && typeof fields.modelVersionId === 'number') {
      await this.versionOf(access, fields.modelVersionId, Number(entity.fields.registeredModelId));
    }
    if (entity.kind === 'model-artifact' && typeof fields.uri === 'string' && fields.uri !== entity.fields.uri) {
      await this.assertUnbound(entity);
      await this.checkOciUri(access, fields.uri);
    }
    const patch: EntityPatch = { updatedAt: this.clock.now().getTime(), fields, ...extra };
    if (input.description !== undefined) patch.description = input.description;
    if (input.externalId !== undefined) patch.externalId = input.externalId;
    if (input.state !== undefined) patch.state = input.state;
    if (input.customProperties !== undefined) patch.customProperties = input.customProperties;
    const archiving = entity.kind === 'model-version' && patch.state === 'ARCHIVED' && entity.state !== 'ARCHIVED';
    const model = archiving && entity.parentId !== null ? await this.store.getEntity(entity.parentId) : null;
    const events = model ? [versionEvent('model_version.archived', model, { id, name: entity.name }, access.actor, patch.updatedAt)] : [];
    const updated = await this.store.updateEntity(id, patch, events);
    if (!updated) throw notFound(entity.kind, id);
    return updated;
  }

  /** Entity `id` if it is one of `kinds` and the caller may read it; NOT_FOUND otherwise. */
  async get(access: ModelAccess, kinds: readonly EntityKind[], id: number): Promise<Entity> {
    const entity = await this.store.getEntity(id);
    if (!entity || !kinds.includes(entity.kind)) throw notFound(kinds[0]!, id);
    await requireVisible(access, entity.project, `${entity.kind} ${id}`);
    return entity;
  }

  /** The first entity of `kinds` with this name and/or externalId (within `parentId` when given). */
  async find(access: ModelAccess, kinds: readonly EntityKind[], q: { name?: string | undefined; externalId?: string | undefined; parentId?: number | undefined }): Promise<Entity> {
    if (q.name === undefined && q.externalId === undefined && q.parentId === undefined) throw new RegistryError('INVALID', 'give name, externalId or parentResourceId');
    const byParent: FilterNode | undefined = q.parentId === undefined ? undefined : parentFilter(kinds, q.parentId);
    const page = await this.list(access, kinds, { name: q.name, externalId: q.externalId, where: byParent, pageSize: '1' });
    const found = page.items[0];
    if (!found) throw new RegistryError('NOT_FOUND', `no ${kinds[0]} matches ${JSON.stringify(q)}`);
    return found;
  }

  /** A page of the entities of `kinds` the caller may read. */
  async list(access: ModelAccess, kinds: readonly EntityKind[], params: ListParams): Promise<ResultPage<Entity>> {
    const page = pageRequest(params);
    const parsed = compileFilter(params.filterQuery, kinds);
    const filter = parsed && params.where ? { op: 'and' as const, left: parsed, right: params.where } : (parsed ?? params.where ?? null);
    const rows = await this.store.listEntities({
      kinds,
      parentId: params.parentId,
      runId: params.runId,
      name: params.name,
      externalId: params.externalId,
      projects: await access.readableProjects(),
      filter,
      orderBy: page.orderBy,
      sortOrder: page.sortOrder,
      after: page.after,
      limit: page.pageSize + 1,
    });
    return toPage(rows, page);
  }

  /**
   * Creates or updates an artifact of a version or run: by `id` when given, else by name within the
   * owner; true when created. A metric logged to a run also appends to the run's metric history.
   */
  async upsertArtifact(access: ModelAccess, owner: ArtifactOwner, kind: EntityKind, input: EntityInput, id?: number): Promise<{ entity: Entity; created: boolean }> {
    const parent = 'versionId' in owner ? await this.get(access, ['model-version'], owner.versionId) : await this.get(access, ['experiment-run'], owner.runId);
    await requireAllowed(access, parent.project, 'push', `add artifacts to ${parent.kind} ${parent.id}`);
    const attach = 'versionId' in owner ? { parentId: owner.versionId } : { runId: owner.runId, fields: { experimentId: parent.parentId ?? undefined } };
    let existing: Entity | undefined;
    if (id !== undefined) {
      existing = await this.get(access, ARTIFACT_KINDS, id);
      if (existing.kind !== kind) throw new RegistryError('INVALID', `artifact ${id} is a ${existing.kind}, not a ${kind}`);
    } else if (input.name !== undefined) {
      const scope = 'versionId' in owner ? { parentId: owner.versionId } : { runId: owner.runId };
      existing = (await this.store.listEntities({ kinds: [kind], name: input.name, ...scope, projects: null, orderBy: 'ID', sortOrder: 'ASC', limit: 1 }))[0];
    }
    let entity: Entity;
    let created = false;
    if (existing) {
      if ('versionId' in owner && existing.parentId !== null && existing.parentId !== owner.versionId) {
        throw new RegistryError('CONFLICT', `artifact ${existing.id} belongs to model version ${existing.parentId}`);
      }
      const fields = { ...input.fields, ...(attach.fields ?? {}) };
      const move = { ...('parentId' in attach ? { parentId: attach.parentId } : { runId: attach.runId }), project: parent.project };
      entity = await this.update(access, ARTIFACT_KINDS, existing.id, { ...input, name: undefined, fields }, move);
    } else {
      entity = await this.create(access, kind, { ...input, ...attach, fields: { ...input.fields, ...(attach.fields ?? {}) } });
      created = true;
    }
    if ('runId' in owner && kind === 'metric') {
      await this.store.createEntity({ ...entity, kind: 'metric-history', parentId: null, externalId: null, createdAt: this.clock.now().getTime() });
    }
    return { entity, created };
  }

  /** The registered model an inference service serves. */
  async servedModel(access: ModelAccess, inferenceServiceId: number): Promise<Entity> {
    const service = await this.get(access, ['inference-service'], inferenceServiceId);
    return this.get(access, ['registered-model'], Number(service.fields.registeredModelId));
  }

  /** The version an inference service serves: the one it names, else the model's latest by creation. */
  async servedVersion(access: ModelAccess, inferenceServiceId: number): Promise<Entity> {
    const service = await this.get(access, ['inference-service'], inferenceServiceId);
    if (typeof service.fields.modelVersionId === 'number') return this.get(access, ['model-version'], service.fields.modelVersionId);
    const latest = await this.list(access, ['model-version'], { parentId: Number(service.fields.registeredModelId), orderBy: 'CREATE_TIME', sortOrder: 'DESC', pageSize: '1' });
    const version = latest.items[0];
    if (!version) throw new RegistryError('NOT_FOUND', `registered model ${String(service.fields.registeredModelId)} has no versions`);
    return version;
  }

  /** Logged metric values of one run (or of every readable run), optionally by name and steps. */
  async metricHistory(access: ModelAccess, runId: number | undefined, params: ListParams & { stepIds?: number[] | undefined }): Promise<ResultPage<Entity>> {
    if (runId !== undefined) await this.get(access, ['experiment-run'], runId);
    const steps: FilterNode | undefined = params.stepIds && { op: 'compare', target: { kind: 'field', name: 'step' }, comparator: 'IN', valueType: 'number', values: params.stepIds };
    return this.list(access, ['metric-history'], { ...params, runId, where: steps });
  }

  /** Resolves who owns a new entity: its project, parent and run. */
  private async ownerOf(access: ModelAccess, kind: EntityKind, input: EntityInput, fields: Record<string, unknown>): Promise<{ project: string; parentId: number | null; runId: number | null }> {
    const need = (value: number | undefined, what: string): number => {
      if (value === undefined) throw new RegistryError('INVALID', `a ${kind} needs ${what}`, { status: 422 });
      return value;
    };
    switch (kind) {
      case 'registered-model':
      case 'experiment':
      case 'serving-environment':
        return { project: projectOf(input.name ?? ''), parentId: null, runId: null };
      case 'model-version': {
        const model = await this.get(access, ['registered-model'], need(input.parentId, 'registeredModelId'));
        return { project: model.project, parentId: model.id, runId: null };
      }
      case 'experiment-run': {
        const experiment = await this.get(access, ['experiment'], need(input.parentId, 'experimentId'));
        return { project: experiment.project, parentId: experiment.id, runId: null };
      }
      case 'inference-service': {
        const environment = await this.get(access, ['serving-environment'], need(input.parentId, 'servingEnvironmentId'));
        const model = await this.get(access, ['registered-model'], need(fields.registeredModelId as number | undefined, 'registeredModelId'));
        if (typeof fields.modelVersionId === 'number') await this.versionOf(access, fields.modelVersionId, model.id);
        return { project: model.project, parentId: environment.id, runId: null };
      }
      case 'serve-model': {
        const service = await this.get(access, ['inference-service'], need(input.parentId, 'inferenceServiceId'));
        await this.get(access, ['model-version'], need(fields.modelVersionId as number | undefined, 'modelVersionId'));
        return { project: service.project, parentId: service.id, runId: null };
      }
      default: {
        if (!isArtifactKind(kind)) throw new RegistryError('INVALID', `cannot create a ${kind} here`);
        const version = input.parentId === undefined ? null : await this.get(access, ['model-version'], input.parentId);
        const run = input.runId === undefined ? null : await this.get(access, ['experiment-run'], input.runId);
        if (run && fields.experimentId === undefined && run.parentId !== null) fields.experimentId = run.parentId;
        return { project: version?.project ?? run?.project ?? projectOf(input.name ?? ''), parentId: version?.id ?? null, runId: run?.id ?? null };
      }
    }
  }

  private async versionOf(access: ModelAccess, versionId: number, modelId: number): Promise<Entity> {
    const version = await this.get(access, ['model-version'], versionId);
    if (version.parentId !== modelId) throw new RegistryError('INVALID', `model version ${versionId} is not a version of registered model ${modelId}`);
    return version;
  }

  /** Refuses to change the URI of the artifact a pushed version is bound to. */
  private async assertUnbound(artifact: Entity): Promise<void> {
    if (artifact.parentId === null) return;
    const binding = await this.store.getBinding(artifact.parentId);
    if (binding?.artifactId === artifact.id) {
      throw new RegistryError('CONFLICT', `model artifact ${artifact.id} is bound to the pushed manifest ${binding.repository}@${binding.digest}; its uri never changes (push a new version instead)`);
    }
  }

  /** A Berth `oci://` URI must name a manifest the caller can see. */
  private async checkOciUri(access: ModelAccess, uri: string): Promise<void> {
    if (!uri.startsWith('oci://')) return;
    const host = /^oci:\/\/([^/]+)/.exec(uri)?.[1]?.toLowerCase();
    const local = localHosts([...this.hosts, ...(access.host ? [access.host] : [])]);
    if (!host || !local.has(host)) return;
    const parsed = parseOciUri(uri);
    const missing = new RegistryError('INVALID', `uri ${uri} names this registry, but no such manifest exists here`);
    if (!parsed || !(await access.can(projectOf(parsed.repository), 'pull'))) throw missing;
    try {
      await this.registry.statManifest(parsed.repository, parsed.reference);
    } catch (err) {
      if (err instanceof RegistryError && err.status < 500) throw missing;
      throw err;
    }
  }
}

/** Schema defaults of fields, applied on create. */
const FIELD_DEFAULTS: Partial<Record<EntityKind, Record<string, string>>> = { 'experiment-run': { status: 'RUNNING' }, parameter: { parameterType: 'string' } };

/** Children of `parentId`: artifacts belong to a version or a run, other kinds to their parent. */
function parentFilter(kinds: readonly EntityKind[], parentId: number): FilterNode {
  const parent: FilterNode = { op: 'compare', target: { kind: 'attribute', attribute: 'parentId' }, comparator: '=', valueType: 'number', values: [parentId] };
  if (!kinds.every(isArtifactKind)) return parent;
  return { op: 'or', left: parent, right: { op: 'compare', target: { kind: 'attribute', attribute: 'runId' }, comparator: '=', valueType: 'number', values: [parentId] } };
}

function notFound(kind: EntityKind, id: number): RegistryError {
  return new RegistryError('NOT_FOUND', `${kind} ${id} not found`);
}
