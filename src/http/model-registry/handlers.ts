// Handler builders for the Kubeflow Model Registry routes table: each parses its input, calls one
// MetadataService operation and encodes the result. Every operation of the API is one of these shapes.
import { RegistryError } from '../../core/errors.js';
import { ARTIFACT_KINDS, type ArtifactKind, type EntityKind } from '../../core/models/entity-kinds.js';
import type { ListParams, MetadataService } from '../../core/models/metadata-service.js';
import type { ModelAccess } from '../../core/models/model-access.js';
import { artifactKindOf, decodeEntity, encodeEntity, encodeList, parseId } from './codec.js';

/** What a handler receives. */
export interface KfContext {
  access: ModelAccess;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  service: MetadataService;
}

/** A reply: status and JSON body. */
export interface KfReply {
  status: number;
  body: unknown;
}

/** A route handler. */
export type KfHandler = (ctx: KfContext) => Promise<KfReply>;

/** Where the id of a parent comes from: a path parameter, the kind it names and the key it fills. */
export interface ParentRef {
  param: string;
  kind: EntityKind;
  key: 'parentId' | 'runId';
}

const ok = (body: unknown, status = 200): KfReply => ({ status, body });

/** The paging, filter and lookup parameters of a list query. */
export function listParams(query: KfContext['query']): ListParams {
  return { filterQuery: query.filterQuery, pageSize: query.pageSize, orderBy: query.orderBy, sortOrder: query.sortOrder, nextPageToken: query.nextPageToken, name: query.name, externalId: query.externalId };
}

/** The artifact kinds a list asks for with `artifactType` (all when absent). */
function artifactKinds(query: KfContext['query']): ArtifactKind[] {
  return query.artifactType === undefined || query.artifactType === '' ? [...ARTIFACT_KINDS] : [artifactKindOf({ artifactType: query.artifactType })];
}

/** GET a collection (for artifacts, narrowed by `artifactType`). */
export function listAll(kinds: readonly EntityKind[] | 'artifacts'): KfHandler {
  return async ({ access, query, service }) => ok(encodeList(await service.list(access, kinds === 'artifacts' ? artifactKinds(query) : kinds, listParams(query))));
}

/** GET the children of a parent named in the path. */
export function listChildren(parent: ParentRef, kinds: readonly EntityKind[] | 'artifacts'): KfHandler {
  return async ({ access, params, query, service }) => {
    const id = parseId(params[parent.param], parent.kind, true);
    await service.get(access, [parent.kind], id);
    return ok(encodeList(await service.list(access, kinds === 'artifacts' ? artifactKinds(query) : kinds, { ...listParams(query), [parent.key]: id })));
  };
}

/** POST a new entity; with `parent`, its parent id comes from the path. */
export function create(kind: EntityKind | 'artifact', options: { required?: string[]; missingStatus?: number; status?: number; parent?: ParentRef } = {}): KfHandler {
  return async ({ access, params, body, service }) => {
    const actual = kind === 'artifact' ? artifactKindOf(body) : kind;
    if (kind === 'model-artifact' && artifactKindOf(body) !== 'model-artifact') throw new RegistryError('INVALID', 'artifactType must be model-artifact here');
    const input = decodeEntity(actual, body, options.required, options.missingStatus);
    if (options.parent) {
      const id = parseId(params[options.parent.param], options.parent.kind, true);
      if (input[options.parent.key] !== undefined && input[options.parent.key] !== id) throw new RegistryError('INVALID', `the body names parent ${input[options.parent.key]}, the path ${id}`);
      input[options.parent.key] = id;
    }
    return ok(encodeEntity(await service.create(access, actual, input)), options.status ?? 201);
  };
}

/** GET one entity by the id in `param`. */
export function getOne(kinds: readonly EntityKind[], param: string): KfHandler {
  return async ({ access, params, service }) => ok(encodeEntity(await service.get(access, kinds, parseId(params[param], kinds[0]!, true))));
}

/** PATCH one entity; artifacts decode by their own kind and may not change it. */
export function update(kinds: readonly EntityKind[], param: string): KfHandler {
  return async ({ access, params, body, service }) => {
    const id = parseId(params[param], kinds[0]!, true);
    const current = await service.get(access, kinds, id);
    if ((ARTIFACT_KINDS as readonly string[]).includes(current.kind) && artifactKindOf(body, current.kind as ArtifactKind) !== current.kind) {
      throw new RegistryError('INVALID', `artifact ${id} is a ${current.kind}; its artifactType cannot change`);
    }
    return ok(encodeEntity(await service.update(access, [current.kind], id, decodeEntity(current.kind, body))));
  };
}

/** GET the one entity matching name / externalId / parentResourceId. */
export function findOne(kinds: readonly EntityKind[], withParent: boolean): KfHandler {
  return async ({ access, query, service }) => {
    const parentId = withParent && query.parentResourceId !== undefined ? parseId(query.parentResourceId, 'parentResourceId', false) : undefined;
    return ok(encodeEntity(await service.find(access, kinds, { name: query.name, externalId: query.externalId, parentId })));
  };
}

/** POST an artifact into a version or run: 201 when created, 200 when an existing one was updated. */
export function upsertArtifact(owner: 'versionId' | 'runId', param: string): KfHandler {
  return async ({ access, params, body, service }) => {
    const ownerId = parseId(params[param], owner === 'versionId' ? 'model-version' : 'experiment-run', true);
    const kind = artifactKindOf(body);
    const raw = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
    const id = raw === undefined || raw === null ? undefined : parseId(String(raw), 'id', false);
    const target = owner === 'versionId' ? { versionId: ownerId } : { runId: ownerId };
    const { entity, created } = await service.upsertArtifact(access, target, kind, decodeEntity(kind, body), id);
    return ok(encodeEntity(entity), created ? 201 : 200);
  };
}

/** GET the metric history of one run (`param`) or of every readable run. */
export function metricHistory(param: string | null): KfHandler {
  return async ({ access, params, query, service }) => {
    const runId = param === null ? undefined : parseId(params[param], 'experiment-run', true);
    if (query.stepIds !== undefined && !/^[0-9]{1,9}(,[0-9]{1,9})*$/.test(query.stepIds)) throw new RegistryError('INVALID', 'stepIds must be comma-separated step numbers, e.g. 1,2,3');
    const stepIds = query.stepIds?.split(',').map(Number);
    return ok(encodeList(await service.metricHistory(access, runId, { ...listParams(query), stepIds })));
  };
}

/** GET what an inference service serves: its registered model or version. */
export function served(what: 'model' | 'version'): KfHandler {
  return async ({ access, params, service }) => {
    const id = parseId(params.inferenceserviceId, 'inference-service', true);
    return ok(encodeEntity(what === 'model' ? await service.servedModel(access, id) : await service.servedVersion(access, id)));
  };
}
