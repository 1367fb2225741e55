// The PolicyStore port: per-project tag immutability rules and storage quotas. Usage itself is booked
// by the RegistryStore inside each manifest push and delete (see QuotaCharge); this port reads it,
// sets limits and repairs drift. Every driver passes test/contracts/policy-store.contract.ts.
import type { DomainEvent } from '../events/domain-events.js';

/** How a selector's pattern applies: to what it matches, or to everything it does not match. */
export type Decoration = 'matches' | 'excludes';

/** A tag immutability rule of a project (Harbor's immutable tag rule). */
export interface ImmutableRule {
  id: number;
  project: string;
  /** Doublestar pattern over the repository name without the project prefix. */
  repository: string;
  repositoryDecoration: Decoration;
  /** Doublestar pattern over tag names. */
  tag: string;
  tagDecoration: Decoration;
  disabled: boolean;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The fields of a rule a caller may change. */
export type ImmutableRulePatch = Partial<Pick<ImmutableRule, 'repository' | 'repositoryDecoration' | 'tag' | 'tagDecoration' | 'disabled'>>;

/** A project's storage quota: its own hard limit (null: the system default applies) and bytes used. */
export interface ProjectQuota {
  project: string;
  /** Bytes; -1 unlimited; null when the project follows the system default. */
  hard: number | null;
  used: number;
}

/** A project's usage after a manifest push charged it. */
export interface UsageChange {
  project: string;
  /** The effective hard limit (-1 unlimited). */
  hard: number;
  /** Bytes used before the push. */
  before: number;
  /** Bytes the push added (content the project did not reference yet). */
  added: number;
}

/** What a manifest push asks of its project's quota (RegistryStore.putManifest). */
export interface QuotaCharge {
  /** Hard limit of projects that have none of their own (-1 unlimited). */
  defaultHard: number;
  /** Extra outbox events of a push that was charged (the warning), written in the push's transaction. */
  onCharged?(change: UsageChange): readonly DomainEvent[];
}

/** What a recomputation found for one project. */
export interface UsageRepair {
  project: string;
  before: number;
  after: number;
}

/** Persistent immutability rules and quotas. */
export interface PolicyStore {
  listImmutableRules(project: string): Promise<ImmutableRule[]>;
  getImmutableRule(project: string, id: number): Promise<ImmutableRule | null>;
  createImmutableRule(rule: Omit<ImmutableRule, 'id'>): Promise<ImmutableRule>;
  /** Applies `patch`; null when the project has no rule `id`. */
  updateImmutableRule(project: string, id: number, patch: ImmutableRulePatch, at: Date): Promise<ImmutableRule | null>;
  /** False when the project has no rule `id`. */
  deleteImmutableRule(project: string, id: number): Promise<boolean>;

  /** A project's quota row; null when it has none yet (no limit set, nothing pushed). */
  getQuota(project: string): Promise<ProjectQuota | null>;
  /** Every quota row, by project name. */
  listQuotas(): Promise<ProjectQuota[]>;
  /** Sets a project's own hard limit (null: follow the default), creating its row. */
  setHardLimit(project: string, hard: number | null): Promise<ProjectQuota>;
  /**
   * Recomputes usage from the manifests themselves for `project` (every project with content or a
   * quota row when omitted), replacing the booked figures in one transaction per project.
   */
  recomputeUsage(project?: string): Promise<UsageRepair[]>;
}
