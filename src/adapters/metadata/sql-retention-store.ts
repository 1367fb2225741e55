// RetentionStore on the relational database through Kysely (SQLite and PostgreSQL). The run lease is
// one row per project taken by a conditional upsert (only when free or lapsed), so on PostgreSQL two
// replicas starting the same project's run serialise on the row and exactly one gets it.
import type { Kysely, Transaction } from 'kysely';
import type { DomainEvent } from '../../core/events/domain-events.js';
import type { ArtifactFacts, Decision } from '../../core/retention/decide.js';
import type { RetentionPolicy } from '../../core/retention/policy.js';
import type { ArtifactState, PullTime, RetentionStore, RunEnd, RunRecord, RunStart, StoredPolicy } from '../../core/retention/retention-store.js';
import type { Database } from './schema.js';
import { insertEvents } from './sql-outbox.js';
import type { RetentionRunsTable, RetentionTables } from './sql-retention-schema.js';

type Db = Database & RetentionTables;
const CHUNK = 200;
/** Runs kept per project; older ones go with their decisions when a run finishes. */
const RUNS_KEPT = 50;

/** A RetentionStore over an open, migrated Kysely database. */
export class SqlRetentionStore implements RetentionStore {
  private readonly db: Kysely<Db>;

  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Kysely<Db>;
  }

  async getPolicy(project: string): Promise<StoredPolicy | null> {
    const row = await this.db.selectFrom('retention_policies').selectAll().where('project', '=', project).executeTakeFirst();
    return row ? fromPolicyRow(row) : null;
  }

  async putPolicy(stored: StoredPolicy): Promise<void> {
    const values = {
      project: stored.project,
      policy: JSON.stringify(stored.policy),
      scheduled: stored.policy.enabled && stored.policy.schedule ? 1 : 0,
      updated_at: stored.updatedAt.getTime(),
      updated_by: stored.updatedBy,
    };
    await this.db.insertInto('retention_policies').values(values).onConflict((oc) => oc.column('project').doUpdateSet({ policy: values.policy, scheduled: values.scheduled, updated_at: values.updated_at, updated_by: values.updated_by })).execute();
  }

  async deletePolicy(project: string): Promise<boolean> {
    const result = await this.db.deleteFrom('retention_policies').where('project', '=', project).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async listScheduledPolicies(): Promise<StoredPolicy[]> {
    const rows = await this.db.selectFrom('retention_policies').selectAll().where('scheduled', '=', 1).orderBy('project').execute();
    return rows.map(fromPolicyRow);
  }

  async listRepositories(project: string): Promise<string[]> {
    // Every name `<project>/...` sorts between `<project>/` and `<project>0` ('0' follows '/').
    const rows = await this.db.selectFrom('repositories').select('name').where('name', '>=', `${project}/`).where('name', '<', `${project}0`).orderBy('name').execute();
    return rows.map((r) => r.name);
  }

  async listArtifacts(repository: string): Promise<ArtifactFacts[]> {
    const [manifests, tags, children, pulls, aliases] = await Promise.all([
      this.db.selectFrom('manifests').select(['digest', 'media_type', 'subject', 'created_at']).where('repository', '=', repository).orderBy('digest').execute(),
      this.db.selectFrom('tags').select(['name', 'digest', 'updated_at']).where('repository', '=', repository).orderBy('name').execute(),
      this.db.selectFrom('manifest_references').select(['manifest_digest', 'digest']).where('repository', '=', repository).where('kind', '=', 'manifest').execute(),
      this.db.selectFrom('manifest_pulls').select(['digest', 'pulled_at']).where('repository', '=', repository).execute(),
      this.aliasRows(repository, undefined),
    ]);
    const facts = new Map<string, ArtifactFacts>();
    for (const m of manifests) {
      facts.set(m.digest, { digest: m.digest, mediaType: m.media_type, tags: [], pushedAt: new Date(Number(m.created_at)), pulledAt: null, subject: m.subject, children: [] });
    }
    for (const t of tags) {
      const a = facts.get(t.digest);
      if (!a) continue;
      a.tags.push(t.name);
      if (Number(t.updated_at) > a.pushedAt.getTime()) a.pushedAt = new Date(Number(t.updated_at));
    }
    for (const r of children) facts.get(r.manifest_digest)?.children.push(r.digest);
    for (const p of pulls) {
      const a = facts.get(p.digest);
      if (a) a.pulledAt = new Date(Number(p.pulled_at));
    }
    for (const r of aliases) {
      const a = facts.get(r.digest);
      if (a && !a.protectedBy) a.protectedBy = aliasReason(r);
    }
    return [...facts.values()];
  }

  async artifactState(repository: string, digest: string): Promise<ArtifactState | null> {
    const manifest = await this.db.selectFrom('manifests').select('created_at').where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
    if (!manifest) return null;
    const tags = await this.db.selectFrom('tags').select(['name', 'updated_at']).where('repository', '=', repository).where('digest', '=', digest).orderBy('name').execute();
    const pushedAt = Math.max(Number(manifest.created_at), ...tags.map((t) => Number(t.updated_at)));
    const [alias] = await this.aliasRows(repository, digest);
    return { tags: tags.map((t) => t.name), pushedAt: new Date(pushedAt), ...(alias ? { protectedBy: aliasReason(alias) } : {}) };
  }

  async recordPulls(pulls: readonly PullTime[]): Promise<void> {
    for (let i = 0; i < pulls.length; i += CHUNK) {
      const rows = pulls.slice(i, i + CHUNK).map((p) => ({ repository: p.repository, digest: p.digest, pulled_at: p.at.getTime() }));
      await this.db
        .insertInto('manifest_pulls')
        .values(rows)
        .onConflict((oc) => oc.columns(['repository', 'digest']).doUpdateSet({ pulled_at: (eb) => eb.ref('excluded.pulled_at') }).where('manifest_pulls.pulled_at', '<', (eb) => eb.ref('excluded.pulled_at')))
        .execute();
    }
  }

  async startRun(start: RunStart): Promise<RunRecord | null> {
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .insertInto('retention_leases')
        .values({ project: start.project, holder: start.holder, expires_at: start.leaseUntil.getTime() })
        .onConflict((oc) => oc.column('project').doUpdateSet({ holder: start.holder, expires_at: start.leaseUntil.getTime() }).where('retention_leases.expires_at', '<', start.at.getTime()))
        .executeTakeFirst();
      if (Number(taken.numInsertedOrUpdatedRows ?? 0n) === 0) return null;
      // Holding the lease now, any run still `running` here belongs to a holder whose lease lapsed.
      await trx.updateTable('retention_runs').set({ status: 'failed', finished_at: start.at.getTime(), error: 'abandoned: the replica running it stopped before it finished' }).where('project', '=', start.project).where('status', '=', 'running').execute();
      const row = await trx
        .insertInto('retention_runs')
        .values({
          project: start.project, status: 'running', dry_run: start.dryRun ? 1 : 0, trigger: start.trigger, operator: start.operator, holder: start.holder,
          started_at: start.at.getTime(), finished_at: null, candidates: 0, retained: 0, deleted: 0, skipped: 0, failed: 0, error: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return fromRunRow(row);
    });
  }

  async renewLease(project: string, holder: string, until: Date): Promise<boolean> {
    const result = await this.db.updateTable('retention_leases').set({ expires_at: until.getTime() }).where('project', '=', project).where('holder', '=', holder).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async finishRun(runId: number, project: string, holder: string, end: RunEnd, decisions: readonly Decision[], events: readonly DomainEvent[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < decisions.length; i += CHUNK) {
        const rows = decisions.slice(i, i + CHUNK).map((d, j) => ({
          run_id: runId, seq: i + j, repository: d.repository, digest: d.digest, tags: JSON.stringify(d.tags), pushed_at: d.pushedAt.getTime(), action: d.action, rule: d.rule, reason: d.reason,
        }));
        await trx.insertInto('retention_decisions').values(rows).execute();
      }
      const { counts } = end;
      await trx
        .updateTable('retention_runs')
        .set({ status: end.status, finished_at: end.at.getTime(), error: end.error, candidates: counts.candidates, retained: counts.retained, deleted: counts.deleted, skipped: counts.skipped, failed: counts.failed })
        .where('id', '=', runId)
        .execute();
      await trx.deleteFrom('retention_leases').where('project', '=', project).where('holder', '=', holder).execute();
      await insertEvents(trx as unknown as Transaction<Database>, events);
      await pruneRuns(trx, project);
    });
  }

  async getRun(project: string, id: number): Promise<RunRecord | null> {
    const row = await this.db.selectFrom('retention_runs').selectAll().where('project', '=', project).where('id', '=', id).executeTakeFirst();
    return row ? fromRunRow(row) : null;
  }

  async listDecisions(runId: number, limit: number): Promise<Decision[]> {
    const rows = await this.db.selectFrom('retention_decisions').selectAll().where('run_id', '=', runId).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ repository: r.repository, digest: r.digest, tags: JSON.parse(r.tags) as string[], pushedAt: new Date(Number(r.pushed_at)), action: r.action as Decision['action'], rule: r.rule === null ? null : Number(r.rule), reason: r.reason }));
  }

  async listRuns(project: string, limit: number): Promise<RunRecord[]> {
    const rows = await this.db.selectFrom('retention_runs').selectAll().where('project', '=', project).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(fromRunRow);
  }

  async lastRunAt(project: string): Promise<Date | null> {
    const row = await this.db.selectFrom('retention_runs').select((eb) => eb.fn.max('started_at').as('at')).where('project', '=', project).executeTakeFirst();
    return row?.at === null || row?.at === undefined ? null : new Date(Number(row.at));
  }

  /** Digests of `repository` (or one of them) bound to a model version some alias points at. */
  private aliasRows(repository: string, digest: string | undefined) {
    let q = this.db
      .selectFrom('model_bindings as b')
      .innerJoin('model_aliases as a', 'a.version_id', 'b.version_id')
      .select(['b.digest', 'a.alias', 'b.version_id'])
      .where('b.repository', '=', repository)
      .orderBy('a.alias');
    if (digest !== undefined) q = q.where('b.digest', '=', digest);
    return q.execute();
  }
}

function aliasReason(r: { alias: string; version_id: number }): string {
  return `model alias "${r.alias}" points at its version (id ${r.version_id})`;
}

async function pruneRuns(trx: Transaction<Db>, project: string): Promise<void> {
  const cutoff = await trx.selectFrom('retention_runs').select('id').where('project', '=', project).orderBy('id', 'desc').offset(RUNS_KEPT).limit(1).executeTakeFirst();
  if (!cutoff) return;
  const old = trx.selectFrom('retention_runs').select('id').where('project', '=', project).where('id', '<=', cutoff.id);
  await trx.deleteFrom('retention_decisions').where('run_id', 'in', old).execute();
  await trx.deleteFrom('retention_runs').where('project', '=', project).where('id', '<=', cutoff.id).where('status', '!=', 'running').execute();
}

function fromPolicyRow(r: { project: string; policy: string; updated_at: number; updated_by: string }): StoredPolicy {
  return { project: r.project, policy: JSON.parse(r.policy) as RetentionPolicy, updatedAt: new Date(Number(r.updated_at)), updatedBy: r.updated_by };
}

function fromRunRow(r: { [K in keyof RetentionRunsTable]: K extends 'id' ? number : RetentionRunsTable[K] }): RunRecord {
  return {
    id: Number(r.id),
    project: r.project,
    status: r.status as RunRecord['status'],
    dryRun: Number(r.dry_run) === 1,
    trigger: r.trigger as RunRecord['trigger'],
    operator: r.operator,
    holder: r.holder,
    startedAt: new Date(Number(r.started_at)),
    finishedAt: r.finished_at === null ? null : new Date(Number(r.finished_at)),
    counts: { candidates: Number(r.candidates), retained: Number(r.retained), deleted: Number(r.deleted), skipped: Number(r.skipped), failed: Number(r.failed) },
    error: r.error,
  };
}
