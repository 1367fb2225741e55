// Table types of the model metadata tables (migration 0003_model_registry), part of `Database`.
import type { Generated } from 'kysely';

/** Any model metadata entity: registered model, version, artifact, experiment, run, serving record. */
export interface ModelEntitiesTable {
  id: Generated<number>;
  kind: string;
  name: string | null;
  uname: string | null;
  scope_id: number;
  external_id: string | null;
  description: string | null;
  project: string;
  parent_id: number | null;
  run_id: number | null;
  state: string | null;
  created_at: number;
  updated_at: number;
}

/** A built-in field (custom = 0) or custom property (custom = 1) of an entity, in its typed column. */
export interface ModelPropertiesTable {
  entity_id: number;
  custom: number;
  name: string;
  type: string;
  string_value: string | null;
  int_value: number | null;
  double_value: number | null;
  bool_value: number | null;
}

/** A version bound to the manifest it was pushed as. */
export interface ModelBindingsTable {
  version_id: number;
  model_id: number;
  artifact_id: number;
  repository: string;
  digest: string;
  tag: string;
  created_at: number;
}

/** Where an alias points. */
export interface ModelAliasesTable {
  model_id: number;
  alias: string;
  version_id: number;
  updated_at: number;
  updated_by: string;
}

/** The history of alias moves. */
export interface ModelAliasEventsTable {
  id: Generated<number>;
  model_id: number;
  alias: string;
  from_version_id: number | null;
  to_version_id: number | null;
  actor: string;
  at: number;
  reason: string | null;
}

/** Lineage edges between versions, datasets and runs. */
export interface ModelLineageTable {
  id: Generated<number>;
  from_id: number;
  relation: string;
  to_id: number;
  created_at: number;
  created_by: string;
}

/** Model cards read from README layers. */
export interface ModelCardsTable {
  version_id: number;
  path: string;
  digest: string;
  text: string;
}

/** The model metadata tables. */
export interface ModelRegistryTables {
  model_entities: ModelEntitiesTable;
  model_properties: ModelPropertiesTable;
  model_bindings: ModelBindingsTable;
  model_aliases: ModelAliasesTable;
  model_alias_events: ModelAliasEventsTable;
  model_lineage: ModelLineageTable;
  model_cards: ModelCardsTable;
}
