// The ModelStore port: model metadata (registered models, versions, artifacts, experiments, serving
// records), the binding of versions to OCI manifests, aliases with their history, lineage and model
// cards. Every driver passes test/contracts/model-store.contract.ts.
import type { DomainEvent } from '../events/domain-events.js';
import type { Entity, EntityKind, FieldValue } from '../models/entity-kinds.js';
import type { FilterNode } from '../models/filter-binding.js';
import type { CustomProperties } from '../models/metadata-value.js';
import type { Cursor, OrderBy, SortOrder } from '../models/paging.js';

/** A new entity; the store assigns its id. */
export type NewEntity = Omit<Entity, 'id' | 'updatedAt'>;

/** A change to an entity: absent keys stay; a field set to null is removed; customProperties replace the whole map. */
export interface EntityPatch {
  description?: string | null;
  externalId?: string | null;
  state?: string | null;
  project?: string;
  parentId?: number | null;
  runId?: number | null;
  fields?: Record<string, FieldValue | null>;
  customProperties?: CustomProperties;
  updatedAt: number;
}

/** A listing of entities. */
export interface EntityQuery {
  kinds: readonly EntityKind[];
  parentId?: number | undefined;
  runId?: number | undefined;
  name?: string | undefined;
  externalId?: string | undefined;
  /** Only entities of these projects; null for all. */
  projects: readonly string[] | null;
  filter?: FilterNode | null | undefined;
  orderBy: OrderBy;
  sortOrder: SortOrder;
  /** Results strictly after this position in the order. */
  after?: Cursor | undefined;
  limit: number;
}

/** A version bound to the OCI manifest it was pushed as. The digest of a binding never changes. */
export interface Binding {
  versionId: number;
  modelId: number;
  artifactId: number;
  repository: string;
  digest: string;
  /** The tag the manifest was pushed under. */
  tag: string;
  createdAt: number;
}

/** Where an alias points now. */
export interface AliasRecord {
  modelId: number;
  alias: string;
  versionId: number;
  updatedAt: number;
  updatedBy: string;
}

/** One move of an alias: from null means created, to null means removed. */
export interface AliasEvent {
  id: number;
  modelId: number;
  alias: string;
  fromVersionId: number | null;
  toVersionId: number | null;
  actor: string;
  at: number;
  /** Why, when it was not a plain move: `rollback`, `version-deleted`. */
  reason: string | null;
}

/** An alias move request. */
export interface AliasMove {
  modelId: number;
  alias: string;
  /** The new target; null removes the alias. */
  versionId: number | null;
  /** When given, the move happens only if the alias currently points here (null: does not exist); CONFLICT otherwise. */
  expectedVersionId?: number | null | undefined;
  actor: string;
  at: number;
  reason?: string | null | undefined;
}

/** How one entity derives from another. */
export const LINEAGE_RELATIONS = ['fine-tuned-from', 'quantized-from', 'trained-on', 'produced-by'] as const;

/** A lineage relation. */
export type LineageRelation = (typeof LINEAGE_RELATIONS)[number];

/** A lineage edge: `fromId` (a model version) relates to `toId` (a version, dataset or run). */
export interface LineageEdge {
  id: number;
  fromId: number;
  relation: LineageRelation;
  toId: number;
  createdAt: number;
  createdBy: string;
}

/** The model card of a version, as read from its README layer. */
export interface ModelCard {
  versionId: number;
  path: string;
  digest: string;
  text: string;
}

/** Persistent model metadata. Name and externalId clashes throw RegistryError CONFLICT. */
export interface ModelStore {
  createEntity(entity: NewEntity, outbox?: (id: number) => DomainEvent[]): Promise<Entity>;
  /** Applies `patch`; null when the entity does not exist. */
  updateEntity(id: number, patch: EntityPatch, events?: readonly DomainEvent[]): Promise<Entity | null>;
  getEntity(id: number): Promise<Entity | null>;
  getEntities(ids: readonly number[]): Promise<Entity[]>;
  /** Up to `query.limit` entities in the requested order. */
  listEntities(query: EntityQuery): Promise<Entity[]>;
  /** Deletes entities with their properties, bindings, cards, aliases, alias history and lineage. */
  deleteEntities(ids: readonly number[], events?: readonly DomainEvent[]): Promise<void>;

  putBinding(binding: Binding): Promise<void>;
  getBinding(versionId: number): Promise<Binding | null>;
  findBinding(repository: string, digest: string): Promise<Binding | null>;
  /** The bindings of whichever of `digests` in `repository` are bound, in one lookup. */
  findBindings(repository: string, digests: readonly string[]): Promise<Binding[]>;
  listBindings(modelId: number): Promise<Binding[]>;

  /** Moves, creates or removes an alias and records the move, atomically. */
  moveAlias(move: AliasMove, outbox?: (move: AliasEvent) => DomainEvent[]): Promise<AliasEvent>;
  getAlias(modelId: number, alias: string): Promise<AliasRecord | null>;
  listAliases(modelId: number): Promise<AliasRecord[]>;
  /** Moves of a model's aliases (or of one), newest first. */
  aliasHistory(modelId: number, alias: string | null, limit: number): Promise<AliasEvent[]>;

  addLineage(edge: Omit<LineageEdge, 'id'>): Promise<LineageEdge>;
  removeLineage(id: number): Promise<boolean>;
  getLineage(id: number): Promise<LineageEdge | null>;
  /** Edges leaving `fromId` and edges reaching `toId`. */
  listLineage(query: { fromId?: number | undefined; toId?: number | undefined }): Promise<LineageEdge[]>;

  putCard(card: ModelCard): Promise<void>;
  getCard(versionId: number): Promise<ModelCard | null>;

  /**
   * Registered models (in `projects`, null for all) whose name, description, readme, string custom
   * properties, versions' names, descriptions and custom properties, or versions' model cards
   * contain `text`, case-insensitively; newest first.
   */
  searchModels(query: { text: string; projects: readonly string[] | null; states: readonly string[] | null; limit: number }): Promise<Entity[]>;
}
