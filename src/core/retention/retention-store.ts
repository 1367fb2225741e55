// The RetentionStore port: what tag retention asks of the database: policies, the facts of a
// repository's artifacts (tags, push and pull times, model aliases), per-manifest pull times, the
// record of runs with their decisions, and the per-project lease that lets one run at a time go.
// Every driver passes test/retention/retention-store.contract.ts.
import type { DomainEvent } from '../events/domain-events.js';
import type { ArtifactFacts, Decision } from './decide.js';
import type { RetentionPolicy } from './policy.js';

/** A stored policy with who set it and when. */
export interface StoredPolicy {
  project: string;
  policy: RetentionPolicy;
  updatedAt: Date;
  updatedBy: string;
}

/** What a run found and did. */
export interface RunCounts {
  /** Artifacts some enabled rule selected. */
  candidates: number;
  retained: number;
  /** Deleted (for a dry run: would be deleted). */
  deleted: number;
  /** Planned for deletion but left alone: retagged, re-pushed, protected or aliased meanwhile. */
  skipped: number;
  /** Deletes that failed. */
  failed: number;
}

/** A run's status. */
export type RunStatus = 'running' | 'succeeded' | 'failed';

/** One run as recorded. */
export interface RunRecord {
  id: number;
  project: string;
  status: RunStatus;
  dryRun: boolean;
  trigger: 'manual' | 'schedule';
  operator: string;
  holder: string;
  startedAt: Date;
  finishedAt: Date | null;
  counts: RunCounts;
  error: string | null;
}

/** A new run's facts. */
export interface RunStart {
  project: string;
  dryRun: boolean;
  trigger: RunRecord['trigger'];
  operator: string;
  holder: string;
  at: Date;
  /** When the lease this run takes lapses unless renewed. */
  leaseUntil: Date;
}

/** How a run ended. */
export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  counts: RunCounts;
  error: string | null;
  at: Date;
}

/** A pull seen by a client GET of a manifest. */
export interface PullTime {
  repository: string;
  digest: string;
  at: Date;
}

/** The current state of one manifest, re-read right before retention deletes it. */
export interface ArtifactState {
  tags: string[];
  pushedAt: Date;
  /** Why it is protected now (an alias points at its model version), if so. */
  protectedBy?: string | undefined;
}

/** The database side of tag retention. */
export interface RetentionStore {
  getPolicy(project: string): Promise<StoredPolicy | null>;
  putPolicy(stored: StoredPolicy): Promise<void>;
  /** False when the project had no policy. */
  deletePolicy(project: string): Promise<boolean>;
  /** Every enabled policy that has a schedule. */
  listScheduledPolicies(): Promise<StoredPolicy[]>;

  /** The repositories of a project (named `<project>/...`), in name order. */
  listRepositories(project: string): Promise<string[]>;
  /** Every manifest of a repository with its tags, times, children, subject and alias protection. */
  listArtifacts(repository: string): Promise<ArtifactFacts[]>;
  /** One manifest's tags, push time and protection now; null when it is gone. */
  artifactState(repository: string, digest: string): Promise<ArtifactState | null>;
  /** Records the latest pull time of manifests (a later time wins; never moves back). */
  recordPulls(pulls: readonly PullTime[]): Promise<void>;

  /**
   * Takes the project's run lease (free, expired, or already this holder's) and records a running run,
   * in one transaction; null while another holder's lease runs. Runs left `running` by a holder whose
   * lease lapsed are marked failed.
   */
  startRun(start: RunStart): Promise<RunRecord | null>;
  /** Extends the lease of a run; false when it was lost (it lapsed and another holder took it). */
  renewLease(project: string, holder: string, until: Date): Promise<boolean>;
  /** Records the outcome, the decisions and `events` (outbox) of a run and frees its lease, in one transaction. */
  finishRun(runId: number, project: string, holder: string, end: RunEnd, decisions: readonly Decision[], events: readonly DomainEvent[]): Promise<void>;
  getRun(project: string, id: number): Promise<RunRecord | null>;
  /** The decisions of a run, in the order they were made. */
  listDecisions(runId: number, limit: number): Promise<Decision[]>;
  /** A project's runs, newest first. */
  listRuns(project: string, limit: number): Promise<RunRecord[]>;
  /** When the project's latest run started, null when it never ran. */
  lastRunAt(project: string): Promise<Date | null>;
}
