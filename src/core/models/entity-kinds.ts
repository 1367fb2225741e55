// The kinds of model metadata Berth keeps and what each one holds: its typed fields, its states,
// which field names its parent and run. One generic entity shape serves all Kubeflow Model Registry
// types, the way ML Metadata serves them from contexts, artifacts and executions.
// https://github.com/kubeflow/model-registry/blob/main/api/openapi/model-registry.yaml (components.schemas)
import type { CustomProperties } from './metadata-value.js';

/** Every kind of entity. `metric-history` keeps each logged value of an experiment run's metric. */
export const ENTITY_KINDS = [
  'registered-model',
  'model-version',
  'model-artifact',
  'doc-artifact',
  'dataset-artifact',
  'metric',
  'parameter',
  'metric-history',
  'serving-environment',
  'inference-service',
  'serve-model',
  'experiment',
  'experiment-run',
] as const;

/** A kind of entity. */
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** The artifact kinds, which are also the API's `artifactType` values. */
export const ARTIFACT_KINDS = ['model-artifact', 'doc-artifact', 'dataset-artifact', 'metric', 'parameter'] as const;

/** An artifact kind. */
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** True when `kind` is an artifact kind (metric history included). */
export function isArtifactKind(kind: EntityKind): boolean {
  return (ARTIFACT_KINDS as readonly string[]).includes(kind) || kind === 'metric-history';
}

/** How a built-in field is typed: `int` fields travel as decimal strings, except `step`. */
export type FieldType = 'string' | 'int' | 'double' | 'string-list';

/** A built-in field's value. */
export type FieldValue = string | number | string[];

/** What a kind holds beyond the common attributes. */
export interface KindSpec {
  fields: Readonly<Record<string, FieldType>>;
  /** Allowed states; empty when the kind has none. */
  states: readonly string[];
  defaultState: string | null;
  /** The API name of the state: `state`, `desiredState` or `lastKnownState`. */
  stateName: string | null;
  /** The API name of the parent id (e.g. `registeredModelId` of a version). */
  parentName: string | null;
  /** The API name of the experiment run id, for artifacts. */
  runName: string | null;
  /** Whether names are unique within the parent (or run, or globally when there is neither). */
  uniqueNames: boolean;
}

const LIVE = ['LIVE', 'ARCHIVED'] as const;
/** ML Metadata's artifact states. */
export const ARTIFACT_STATES = ['UNKNOWN', 'PENDING', 'LIVE', 'MARKED_FOR_DELETION', 'DELETED', 'ABANDONED', 'REFERENCE'] as const;
/** ML Metadata's execution states (a ServeModel's `lastKnownState`). */
export const EXECUTION_STATES = ['UNKNOWN', 'NEW', 'RUNNING', 'COMPLETE', 'FAILED', 'CACHED', 'CANCELED'] as const;
/** An experiment run's `status`. */
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
/** A parameter's `parameterType`. */
export const PARAMETER_TYPES = ['string', 'number', 'boolean', 'object'] as const;

const MODEL_CARD: Record<string, FieldType> = {
  owner: 'string', readme: 'string', maturity: 'string', language: 'string-list', tasks: 'string-list',
  provider: 'string', logo: 'string', license: 'string', licenseLink: 'string', libraryName: 'string',
};
const ARTIFACT_BASE: Record<string, FieldType> = { experimentId: 'int' };
const artifact = (fields: Record<string, FieldType>): KindSpec => ({
  fields: { ...ARTIFACT_BASE, ...fields }, states: ARTIFACT_STATES, defaultState: 'UNKNOWN', stateName: 'state', parentName: 'modelVersionId', runName: 'experimentRunId', uniqueNames: true,
});

/** The catalogue of kinds. */
export const KIND_SPECS: Readonly<Record<EntityKind, KindSpec>> = {
  'registered-model': { fields: MODEL_CARD, states: LIVE, defaultState: 'LIVE', stateName: 'state', parentName: null, runName: null, uniqueNames: true },
  'model-version': { fields: { author: 'string' }, states: LIVE, defaultState: 'LIVE', stateName: 'state', parentName: 'registeredModelId', runName: null, uniqueNames: true },
  'model-artifact': artifact({
    uri: 'string', modelFormatName: 'string', modelFormatVersion: 'string', storageKey: 'string', storagePath: 'string', serviceAccountName: 'string',
    modelSourceKind: 'string', modelSourceClass: 'string', modelSourceGroup: 'string', modelSourceId: 'string', modelSourceName: 'string',
  }),
  'doc-artifact': artifact({ uri: 'string' }),
  'dataset-artifact': artifact({ uri: 'string', digest: 'string', sourceType: 'string', source: 'string', schema: 'string', profile: 'string' }),
  metric: artifact({ value: 'double', timestamp: 'int', step: 'int' }),
  parameter: artifact({ value: 'string', parameterType: 'string' }),
  'metric-history': { ...artifact({ value: 'double', timestamp: 'int', step: 'int' }), parentName: null, uniqueNames: false },
  'serving-environment': { fields: {}, states: [], defaultState: null, stateName: null, parentName: null, runName: null, uniqueNames: true },
  'inference-service': {
    fields: { registeredModelId: 'int', modelVersionId: 'int', runtime: 'string' },
    states: ['DEPLOYED', 'UNDEPLOYED'], defaultState: 'DEPLOYED', stateName: 'desiredState', parentName: 'servingEnvironmentId', runName: null, uniqueNames: true,
  },
  'serve-model': { fields: { modelVersionId: 'int' }, states: EXECUTION_STATES, defaultState: 'UNKNOWN', stateName: 'lastKnownState', parentName: 'inferenceServiceId', runName: null, uniqueNames: true },
  experiment: { fields: { owner: 'string' }, states: LIVE, defaultState: 'LIVE', stateName: 'state', parentName: null, runName: null, uniqueNames: true },
  'experiment-run': {
    fields: { owner: 'string', status: 'string', startTimeSinceEpoch: 'int', endTimeSinceEpoch: 'int' },
    states: LIVE, defaultState: 'LIVE', stateName: 'state', parentName: 'experimentId', runName: null, uniqueNames: true,
  },
};

/** A stored entity of any kind. Times are milliseconds since the epoch. */
export interface Entity {
  id: number;
  kind: EntityKind;
  name: string | null;
  externalId: string | null;
  description: string | null;
  /** The Berth project the entity belongs to (who may read and write it); '' for system-only. */
  project: string;
  /** Registered model of a version, version of an artifact, environment of an inference service ... */
  parentId: number | null;
  /** Experiment run an artifact was logged to. */
  runId: number | null;
  state: string | null;
  fields: Record<string, FieldValue>;
  customProperties: CustomProperties;
  createdAt: number;
  updatedAt: number;
}
