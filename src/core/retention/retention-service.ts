// Tag retention: a project's policy, runs now or on schedule, and their record. A run takes the
// project's lease (one run per project across replicas), plans with decideRepository over what the
// database holds, then deletes each planned artifact through the registry's own manifest delete (so
// tags, outbox events, model-version bookkeeping and webhooks follow as for an OCI DELETE), re-reading
// the artifact right before: one retagged, re-pushed, aliased or protected since the plan is left
// alone. Blob bytes are freed later by garbage collection.
import { RegistryError, isRegistryError } from '../errors.js';
import { domainEvent } from '../events/domain-events.js';
import type { Clock } from '../ports/clock.js';
import { decideRepository, repositoryInScope, type ArtifactFacts, type Decision } from './decide.js';
import { validatePolicy, type RetentionPolicy } from './policy.js';
import type { RetentionStore, RunCounts, RunRecord, StoredPolicy } from './retention-store.js';

/** How long a run's lease lasts without renewal. */
export const RETENTION_LEASE_MS = 60_000;
/** Deleted artifacts listed in a `retention.finished` event at most. */
export const EVENT_DELETED_CAP = 100;

/** Answers whether `tag` of `repository` must never be deleted (immutability rules); default: never protected. */
export type ProtectionCheck = (repository: string, tag: string) => Promise<boolean>;

/** What deleting goes through: the registry's manifest delete by digest. */
export interface ManifestDeleter {
  deleteManifest(repository: string, reference: string, operator?: string, options?: { onlyTags?: readonly string[] }): Promise<void>;
}

/** Settings and hooks of the service. */
export interface RetentionOptions {
  /** Names this replica in run records (host:pid). */
  holder: string;
  leaseMs?: number | undefined;
  isProtected?: ProtectionCheck | undefined;
  /** Called after a run wrote its `retention.finished` event (to wake the webhook dispatcher). */
  onEventsWritten?: (() => void) | undefined;
  /** Called with errors of background runs and scheduling. */
  onError?: ((err: unknown) => void) | undefined;
}

/** A run with its decisions. */
export interface RunDetails extends RunRecord {
  decisions: Decision[];
}

/** One planned deletion and the facts it was planned on. */
interface Planned {
  decision: Decision;
  facts: ArtifactFacts;
}

/** Retention policies and runs. */
export class RetentionService {
  private readonly running = new Set<Promise<void>>();
  private readonly leaseMs: number;
  private sequence = 0;
  private stopping = false;

  constructor(
    private readonly store: RetentionStore,
    private readonly registry: ManifestDeleter,
    private readonly clock: Clock,
    private readonly options: RetentionOptions,
  ) {
    this.leaseMs = options.leaseMs ?? RETENTION_LEASE_MS;
  }

  /** The project's policy; NOT_FOUND when it has none. */
  async getPolicy(project: string): Promise<StoredPolicy> {
    const stored = await this.store.getPolicy(project);
    if (!stored) throw new RegistryError('NOT_FOUND', `project "${project}" has no retention policy`);
    return stored;
  }

  /** Validates and stores the project's policy (INVALID changes nothing). */
  async setPolicy(project: string, policy: RetentionPolicy, actor: string): Promise<StoredPolicy> {
    const stored: StoredPolicy = { project, policy: validatePolicy(policy), updatedAt: this.clock.now(), updatedBy: actor };
    await this.store.putPolicy(stored);
    return stored;
  }

  /** Removes the project's policy; NOT_FOUND when it has none. */
  async deletePolicy(project: string): Promise<void> {
    if (!(await this.store.deletePolicy(project))) throw new RegistryError('NOT_FOUND', `project "${project}" has no retention policy`);
  }

  /**
   * Starts a run of the project's policy and returns it while it goes on in the background; CONFLICT
   * while another run of the project holds the lease. A dry run decides and records, deleting nothing.
   */
  async startRun(project: string, input: { dryRun: boolean; operator: string; trigger?: RunRecord['trigger'] }): Promise<RunRecord> {
    if (this.stopping) throw new RegistryError('UNAVAILABLE', 'the server is shutting down');
    const { policy } = await this.getPolicy(project);
    const now = this.clock.now();
    const holder = `${this.options.holder}#${++this.sequence}`;
    const run = await this.store.startRun({ project, dryRun: input.dryRun, trigger: input.trigger ?? 'manual', operator: input.operator, holder, at: now, leaseUntil: new Date(now.getTime() + this.leaseMs) });
    if (!run) throw new RegistryError('CONFLICT', `a retention run of project "${project}" is already in progress`);
    const work = this.execute(run, policy).catch((err: unknown) => this.options.onError?.(err)).finally(() => this.running.delete(work));
    this.running.add(work);
    return run;
  }

  /** A project's runs, newest first. */
  async listRuns(project: string, limit: number): Promise<RunRecord[]> {
    return this.store.listRuns(project, limit);
  }

  /** One run with its decisions (at most `limit`); NOT_FOUND when the project has no such run. */
  async getRun(project: string, id: number, limit = 10_000): Promise<RunDetails> {
    const run = await this.store.getRun(project, id);
    if (!run) throw new RegistryError('NOT_FOUND', `retention run ${id} of project "${project}" not found`);
    return { ...run, decisions: await this.store.listDecisions(id, limit) };
  }

  /** Starts the scheduled runs that are due (every replica may call this; the lease lets one run). */
  async runDue(): Promise<number> {
    let started = 0;
    const now = this.clock.now().getTime();
    for (const stored of await this.store.listScheduledPolicies()) {
      const every = stored.policy.schedule?.intervalHours;
      if (!stored.policy.enabled || !every) continue;
      const last = Math.max(stored.updatedAt.getTime(), (await this.store.lastRunAt(stored.project))?.getTime() ?? 0);
      if (now - last < every * 3_600_000) continue;
      try {
        await this.startRun(stored.project, { dryRun: false, operator: 'system', trigger: 'schedule' });
        started++;
      } catch (err) {
        if (!(isRegistryError(err) && (err.code === 'CONFLICT' || err.code === 'NOT_FOUND'))) this.options.onError?.(err);
      }
    }
    return started;
  }

  /** Resolves once every run this process started has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Refuses new runs, makes running ones stop before their next delete (recorded as failed), and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  private async execute(run: RunRecord, policy: RetentionPolicy): Promise<void> {
    const counts: RunCounts = { candidates: 0, retained: 0, deleted: 0, skipped: 0, failed: 0 };
    const decisions: Decision[] = [];
    let renewedAt = this.clock.now().getTime();
    const keepLease = async () => {
      const now = this.clock.now().getTime();
      if (this.stopping) throw new Error('stopped: the server shut down during the run');
      if (now - renewedAt < this.leaseMs / 3) return;
      if (!(await this.store.renewLease(run.project, run.holder, new Date(now + this.leaseMs)))) throw new Error('the run lost its lease (it stalled longer than the lease) and stopped');
      renewedAt = now;
    };
    let error: string | null = null;
    try {
      const plan: Planned[] = [];
      for (const repository of await this.store.listRepositories(run.project)) {
        if (!repositoryInScope(run.project, repository, policy.rules)) continue;
        await keepLease();
        const artifacts = await this.store.listArtifacts(repository);
        const decided = await this.decide(run.project, repository, artifacts, policy);
        const facts = new Map(artifacts.map((a) => [a.digest, a]));
        for (const decision of decided) {
          decisions.push(decision);
          if (decision.action === 'deleted') plan.push({ decision, facts: facts.get(decision.digest)! });
        }
      }
      if (!run.dryRun) {
        for (const planned of plan.sort((x, y) => deleteOrder(x) - deleteOrder(y))) {
          await keepLease();
          await this.deleteOne(run, planned, counts);
        }
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    counts.candidates = decisions.length;
    counts.deleted = decisions.filter((d) => d.action === 'deleted').length;
    counts.retained = decisions.length - counts.deleted;
    if (error === null && counts.failed > 0) error = `${counts.failed} deletes failed`;
    const at = this.clock.now();
    const status = error === null ? 'succeeded' : 'failed';
    const deleted = decisions.filter((d) => d.action === 'deleted');
    const event = domainEvent('retention.finished', run.project, run.operator, at, {
      runId: run.id, dryRun: run.dryRun, trigger: run.trigger, status, counts, error,
      deleted: deleted.slice(0, EVENT_DELETED_CAP).map((d) => ({ repository: d.repository, digest: d.digest, tags: d.tags })),
      deletedTruncated: deleted.length > EVENT_DELETED_CAP,
    });
    await this.store.finishRun(run.id, run.project, run.holder, { status, counts, error, at }, decisions, [event]);
    this.options.onEventsWritten?.();
  }

  /** Decides one repository, then asks the protection hook about what would go and decides again if it protects some. */
  private async decide(project: string, repository: string, artifacts: ArtifactFacts[], policy: RetentionPolicy): Promise<Decision[]> {
    const now = this.clock.now();
    const first = decideRepository(project, repository, artifacts, policy.rules, now);
    const check = this.options.isProtected;
    if (!check) return first;
    const byDigest = new Map(artifacts.map((a) => [a.digest, a]));
    let changed = false;
    for (const d of first) {
      if (d.action !== 'deleted') continue;
      const reason = await this.protectedTag(check, repository, d.tags);
      if (reason) {
        byDigest.get(d.digest)!.protectedBy = reason;
        changed = true;
      }
    }
    return changed ? decideRepository(project, repository, artifacts, policy.rules, now) : first;
  }

  private async protectedTag(check: ProtectionCheck, repository: string, tags: readonly string[]): Promise<string | undefined> {
    for (const tag of tags) if (await check(repository, tag)) return `tag "${tag}" is immutable`;
    return undefined;
  }

  /** Re-reads a planned artifact and deletes it only if nothing moved onto it since the plan. */
  private async deleteOne(run: RunRecord, { decision }: Planned, counts: RunCounts): Promise<void> {
    const keep = (reason: string) => {
      decision.action = 'retained';
      decision.reason = reason;
      counts.skipped++;
    };
    const state = await this.store.artifactState(decision.repository, decision.digest);
    if (!state) return keep('gone before retention deleted it');
    const added = state.tags.filter((t) => !decision.tags.includes(t));
    if (added.length > 0) return keep(`changed since the plan: tagged ${added.join(', ')}`);
    if (state.pushedAt.getTime() > decision.pushedAt.getTime()) return keep('changed since the plan: pushed again');
    if (state.protectedBy) return keep(`protected: ${state.protectedBy}`);
    const immutable = this.options.isProtected ? await this.protectedTag(this.options.isProtected, decision.repository, state.tags) : undefined;
    if (immutable) return keep(`protected: ${immutable}`);
    try {
      // Only with the tags just checked: a tag added after this re-check makes the store refuse.
      await this.registry.deleteManifest(decision.repository, decision.digest, run.operator, { onlyTags: state.tags });
    } catch (err) {
      if (isRegistryError(err) && err.code === 'MANIFEST_UNKNOWN') return keep('gone before retention deleted it');
      if (isRegistryError(err) && err.code === 'CONFLICT') return keep(`changed since the plan: ${err.message}`);
      decision.action = 'retained';
      decision.reason = `delete failed: ${err instanceof Error ? err.message : String(err)}`;
      counts.failed++;
    }
  }
}

/** Referrers go before their subjects and indexes before their children, so nothing dangles meanwhile. */
function deleteOrder({ decision, facts }: Planned): number {
  if (facts.subject !== null) return 0;
  if (facts.children.length > 0) return 1;
  return decision.reason.startsWith('every index') ? 3 : 2;
}
