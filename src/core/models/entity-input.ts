// What a create or update request says about an entity, once a surface has decoded it, and the
// checks every surface shares: states and enums per kind, text limits, URIs of model cards.
import { RegistryError } from '../errors.js';
import { KIND_SPECS, PARAMETER_TYPES, RUN_STATUSES, type EntityKind, type FieldValue } from './entity-kinds.js';
import type { CustomProperties } from './metadata-value.js';

/** A decoded create or update body. Absent keys are left alone on update. */
export interface EntityInput {
  name?: string | undefined;
  description?: string | undefined;
  externalId?: string | undefined;
  customProperties?: CustomProperties | undefined;
  /** The kind's state (`state`, `desiredState` or `lastKnownState` in the API). */
  state?: string | undefined;
  /** The id named by the kind's parent field (`registeredModelId` of a version ...). */
  parentId?: number | undefined;
  /** `experimentRunId` of an artifact. */
  runId?: number | undefined;
  fields: Record<string, FieldValue | undefined>;
}

const MAX_NAME = 1024;
const MAX_TEXT = 1 << 20;
const URI_FIELDS = new Set(['logo', 'licenseLink']);

/** Checks an input against its kind; throws INVALID naming the first problem. */
export function validateInput(kind: EntityKind, input: EntityInput): void {
  const spec = KIND_SPECS[kind];
  if (input.name !== undefined) checkText(input.name, 'name', MAX_NAME, true);
  if (input.name === '') throw invalid('name must not be empty');
  if (input.externalId !== undefined) checkText(input.externalId, 'externalId', MAX_NAME, true);
  if (input.description !== undefined) checkText(input.description, 'description', MAX_TEXT, false);
  if (input.state !== undefined && !spec.states.includes(input.state)) {
    throw invalid(spec.stateName ? `${spec.stateName} must be one of ${spec.states.join(', ')}` : `a ${kind} has no state`);
  }
  for (const [name, value] of Object.entries(input.fields)) {
    if (value === undefined) continue;
    const type = spec.fields[name];
    if (!type) throw invalid(`a ${kind} has no field ${name}`);
    if (typeof value === 'string') checkText(value, name, MAX_TEXT, false);
    if (Array.isArray(value)) value.forEach((v, i) => checkText(v, `${name}[${i}]`, MAX_NAME, false));
    if (typeof value === 'number' && !Number.isFinite(value)) throw invalid(`${name} must be a finite number`);
    if (URI_FIELDS.has(name) && typeof value === 'string' && !isUri(value)) throw invalid(`${name} must be an absolute URI (a data: URL works for logos)`);
  }
  const status = input.fields.status;
  if (kind === 'experiment-run' && status !== undefined && !(RUN_STATUSES as readonly unknown[]).includes(status)) throw invalid(`status must be one of ${RUN_STATUSES.join(', ')}`);
  const parameterType = input.fields.parameterType;
  if (kind === 'parameter' && parameterType !== undefined && !(PARAMETER_TYPES as readonly unknown[]).includes(parameterType)) {
    throw invalid(`parameterType must be one of ${PARAMETER_TYPES.join(', ')}`);
  }
}

/** The input's fields without absent keys. */
export function presentFields(input: EntityInput): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(input.fields)) if (v !== undefined) out[k] = v;
  return out;
}

function checkText(value: string, name: string, max: number, singleLine: boolean): void {
  if (value.length > max) throw invalid(`${name} is longer than ${max} characters`);
  if (value.includes('\0')) throw invalid(`${name} contains a NUL character`);
  if (singleLine && /[\r\n]/.test(value)) throw invalid(`${name} must be one line`);
}

function isUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value) && URL.canParse(value);
}

function invalid(message: string): RegistryError {
  return new RegistryError('INVALID', message);
}
