// The Kubeflow Model Registry wire format of entities: request bodies decoded into EntityInput and
// entities encoded as the OpenAPI schemas say (ids and int64 values as decimal strings, `step` as a
// number, the state under `state`, `desiredState` or `lastKnownState`, artifacts with `artifactType`).
// https://github.com/kubeflow/model-registry/blob/main/api/openapi/model-registry.yaml (components.schemas)
import { RegistryError } from '../../core/errors.js';
import type { EntityInput } from '../../core/models/entity-input.js';
import { ARTIFACT_KINDS, KIND_SPECS, isArtifactKind, type ArtifactKind, type Entity, type EntityKind, type FieldValue } from '../../core/models/entity-kinds.js';
import { parseCustomProperties } from '../../core/models/metadata-value.js';

/** Fields the API carries as JSON numbers although they are integers. */
const NUMBER_FIELDS = new Set(['step']);
/** Integer fields that hold ids (pattern ^[1-9][0-9]{0,8}$). */
const ID_FIELDS = new Set(['experimentId', 'registeredModelId', 'modelVersionId']);
/** Parent ids the schemas show (others, like an artifact's version, are implied by the path). */
const SHOWN_PARENTS = new Set(['registeredModelId', 'servingEnvironmentId', 'experimentId']);
const ID = /^[1-9][0-9]{0,8}$/;
const INT64 = /^-?(0|[1-9][0-9]{0,15})$/;

/** Decodes a create/update body of `kind`; `required` keys must be present (else `missingStatus`). */
export function decodeEntity(kind: EntityKind, body: unknown, required: readonly string[] = [], missingStatus = 400): EntityInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const missing = required.filter((k) => b[k] === undefined || b[k] === null);
  if (missing.length > 0) throw new RegistryError('INVALID', `missing required ${missing.join(', ')}`, { status: missingStatus });
  const spec = KIND_SPECS[kind];
  const input: EntityInput = { fields: {} };
  if (b.name !== undefined && b.name !== null) input.name = text(b.name, 'name');
  if (b.description !== undefined && b.description !== null) input.description = text(b.description, 'description');
  if (b.externalId !== undefined && b.externalId !== null) input.externalId = text(b.externalId, 'externalId');
  if (b.customProperties !== undefined) input.customProperties = parseCustomProperties(b.customProperties);
  if (spec.stateName && b[spec.stateName] !== undefined && b[spec.stateName] !== null) input.state = text(b[spec.stateName], spec.stateName);
  if (spec.parentName && b[spec.parentName] !== undefined && b[spec.parentName] !== null) input.parentId = id(b[spec.parentName], spec.parentName);
  if (spec.runName && b[spec.runName] !== undefined && b[spec.runName] !== null) input.runId = id(b[spec.runName], spec.runName);
  for (const [name, type] of Object.entries(spec.fields)) {
    const value = b[name];
    if (value === undefined || value === null) continue;
    input.fields[name] = field(name, type, value);
  }
  return input;
}

/** The artifact kind a body names with `artifactType` (default: model-artifact). */
export function artifactKindOf(body: unknown, fallback: ArtifactKind = 'model-artifact'): ArtifactKind {
  const type = typeof body === 'object' && body !== null ? (body as { artifactType?: unknown }).artifactType : undefined;
  if (type === undefined || type === null) return fallback;
  const kind = ARTIFACT_KINDS.find((k) => k === type);
  if (!kind) throw bad(`artifactType must be one of ${ARTIFACT_KINDS.join(', ')}`);
  return kind;
}

/** Encodes an entity as its OpenAPI schema. */
export function encodeEntity(e: Entity): Record<string, unknown> {
  const spec = KIND_SPECS[e.kind];
  const out: Record<string, unknown> = { id: String(e.id) };
  if (isArtifactKind(e.kind)) out.artifactType = e.kind === 'metric-history' ? 'metric' : e.kind;
  if (e.name !== null) out.name = e.name;
  if (e.externalId !== null) out.externalId = e.externalId;
  if (e.description !== null) out.description = e.description;
  out.customProperties = e.customProperties;
  out.createTimeSinceEpoch = String(e.createdAt);
  out.lastUpdateTimeSinceEpoch = String(e.updatedAt);
  if (spec.stateName && e.state !== null) out[spec.stateName] = e.state;
  if (spec.parentName && SHOWN_PARENTS.has(spec.parentName) && e.parentId !== null) out[spec.parentName] = String(e.parentId);
  if (spec.runName && e.runId !== null) out[spec.runName] = String(e.runId);
  for (const [name, value] of Object.entries(e.fields)) {
    const type = spec.fields[name];
    if (!type) continue;
    out[name] = type === 'int' && !NUMBER_FIELDS.has(name) ? String(value) : value;
  }
  return out;
}

/** A page of entities as a `*List` schema. */
export function encodeList(page: { items: Entity[]; pageSize: number; nextPageToken: string }): Record<string, unknown> {
  return { items: page.items.map(encodeEntity), size: page.items.length, pageSize: page.pageSize, nextPageToken: page.nextPageToken };
}

/** Parses an id from a path or query parameter; a malformed id names nothing, so it is NOT_FOUND in a path. */
export function parseId(value: string | undefined, where: string, inPath: boolean): number {
  if (value !== undefined && ID.test(value)) return Number(value);
  if (inPath) throw new RegistryError('NOT_FOUND', `${where} ${JSON.stringify(String(value).slice(0, 40))} not found`);
  throw bad(`${where} must be an id (1 to 9 digits, not starting with 0)`);
}

function field(name: string, type: string, value: unknown): FieldValue {
  switch (type) {
    case 'string':
      return text(value, name);
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${name} must be a number`);
      return value;
    case 'string-list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bad(`${name} must be a list of strings`);
      return value as string[];
    default: {
      if (ID_FIELDS.has(name)) return id(value, name);
      const s = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
      if (NUMBER_FIELDS.has(name) && typeof value !== 'number') throw bad(`${name} must be an integer`);
      if (typeof s !== 'string' || !INT64.test(s) || !Number.isSafeInteger(Number(s))) throw bad(`${name} must be an integer${NUMBER_FIELDS.has(name) ? '' : ' written as a string'}`);
      return Number(s);
    }
  }
}

function id(value: unknown, name: string): number {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string' || !ID.test(s)) throw bad(`${name} must be an id (a string of 1 to 9 digits)`);
  return Number(s);
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') throw bad(`${name} must be a string`);
  return value;
}

function bad(message: string): RegistryError {
  return new RegistryError('INVALID', message);
}
