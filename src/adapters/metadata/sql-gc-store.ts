// GcStore on the relational database through Kysely (SQLite and PostgreSQL). Every statement that
// deletes or marks re-states its whole condition on the row it changes: on PostgreSQL a concurrent
// push that refreshed the row holds its lock, and the statement re-checks the refreshed row after
// that push commits (READ COMMITTED), so a row a push relies on is never taken.
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { AbandonedSweep, CollectableBlob, GcRunRecord, GcStore } from '../../core/ports/gc-store.js';
import type { GcRunsTable } from './blob-gc-schema.js';
import type { BlobLinksTable, Database } from './schema.js';

const LEASE = 'gc';

/** A GcStore over an open, migrated Kysely database. */
export class SqlGcStore implements GcStore {
  constructor(private readonly db: Kysely<Database>) {}

  async acquireLease(holder: string, until: Date, now: Date): Promise<boolean> {
    const result = await this.db
      .insertInto('gc_lease')
      .values({ name: LEASE, holder, expires_at: until.getTime() })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: until.getTime() })
          .where((eb) => eb.or([eb('gc_lease.expires_at', '<', now.getTime()), eb('gc_lease.holder', '=', holder)])),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async releaseLease(holder: string): Promise<void> {
    await this.db.deleteFrom('gc_lease').where('name', '=', LEASE).where('holder', '=', holder).execute();
  }

  async countCollectableLinks(before: Date): Promise<number> {
    const row = await this.db
      .selectFrom('blob_links as l')
      .select((eb) => eb.fn.countAll().as('n'))
      .where((eb) => collectableLink(eb, before.getTime()))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async deleteCollectableLinks(before: Date, limit: number): Promise<{ examined: number; deleted: number }> {
    const cutoff = before.getTime();
    const candidates = await this.db
      .selectFrom('blob_links as l')
      .select(['l.repository', 'l.digest', 'l.size', 'l.created_at'])
      .where((eb) => collectableLink(eb, cutoff))
      .limit(limit)
      .execute();
    let deleted = 0;
    // One row per statement: GC never holds two row locks, so it cannot deadlock with a push.
    for (const { repository, digest, size, created_at } of candidates) {
      const result = await this.db
        .deleteFrom('blob_links as l')
        .where('l.repository', '=', repository)
        .where('l.digest', '=', digest)
        .where((eb) => collectableLink(eb, cutoff))
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) continue;
      // A manifest push that committed while the delete waited (and whose refresh the clocks hid) is
      // visible now: then the link goes back, as it was.
      const referenced = await this.db.selectFrom('manifest_references').select('digest').where('repository', '=', repository).where('digest', '=', digest).limit(1).executeTakeFirst();
      if (referenced) {
        const now = Date.now();
        await this.db.insertInto('blob_links').values({ repository, digest, size, created_at, touched_at: now }).onConflict((oc) => oc.columns(['repository', 'digest']).doNothing()).execute();
        continue;
      }
      deleted += 1;
    }
    return { examined: candidates.length, deleted };
  }

  async listCollectableBlobs(linksBefore: Date, blobsBefore: Date, after: string | undefined, limit: number): Promise<CollectableBlob[]> {
    const linkCutoff = linksBefore.getTime();
    let q = this.db
      .selectFrom('blobs as b')
      .select(['b.digest', 'b.size'])
      .where('b.state', '=', 'live')
      .where('b.touched_at', '<', blobsBefore.getTime())
      .where((eb) => eb.not(eb.exists(eb.selectFrom('manifest_references as r').select(sql`1`.as('one')).whereRef('r.digest', '=', 'b.digest'))))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('blob_links as l')
              .select(sql`1`.as('one'))
              .whereRef('l.digest', '=', 'b.digest')
              .where((e) => e.or([e('l.touched_at', '>=', linkCutoff), e('l.created_at', '>=', linkCutoff)])),
          ),
        ),
      )
      .orderBy('b.digest')
      .limit(limit);
    if (after !== undefined) q = q.where('b.digest', '>', after);
    return (await q.execute()).map((r) => ({ digest: r.digest, size: Number(r.size) }));
  }

  async markSweeping(digest: string, before: Date, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('blobs as b')
      .set({ state: 'sweeping', marked_at: at.getTime() })
      .where('b.digest', '=', digest)
      .where('b.state', '=', 'live')
      .where('b.touched_at', '<', before.getTime())
      .where((eb) => eb.not(eb.exists(eb.selectFrom('blob_links as l').select(sql`1`.as('one')).where('l.digest', '=', digest))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('manifest_references as r').select(sql`1`.as('one')).where('r.digest', '=', digest))))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    // The mark is committed, so no new link can appear; one committed just before it (whatever the
    // clocks said) is visible now, and then the blob goes back to live.
    if (await this.inUse(digest)) {
      await this.unmarkSweeping(digest);
      return false;
    }
    return true;
  }

  async unmarkSweeping(digest: string): Promise<void> {
    await this.db.updateTable('blobs').set({ state: 'live', marked_at: null }).where('digest', '=', digest).where('state', '=', 'sweeping').execute();
  }

  async finishSweep(digest: string): Promise<void> {
    await this.db.deleteFrom('blobs').where('digest', '=', digest).where('state', '=', 'sweeping').execute();
  }

  async listAbandonedSweeps(markedBefore: Date, limit: number): Promise<AbandonedSweep[]> {
    const rows = await this.db
      .selectFrom('blobs')
      .select(['digest', 'size', 'marked_at'])
      .where('state', '=', 'sweeping')
      .where('marked_at', '<', markedBefore.getTime())
      .orderBy('digest')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ digest: r.digest, size: Number(r.size), markedAt: new Date(Number(r.marked_at)) }));
  }

  async retakeSweep(digest: string, markedAt: Date, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('blobs')
      .set({ marked_at: at.getTime() })
      .where('digest', '=', digest)
      .where('state', '=', 'sweeping')
      .where('marked_at', '=', markedAt.getTime())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async recordRun(run: Omit<GcRunRecord, 'id'>): Promise<GcRunRecord> {
    const row = await this.db
      .insertInto('gc_runs')
      .values({
        holder: run.holder,
        started_at: run.startedAt.getTime(),
        duration_ms: run.durationMs,
        dry_run: run.dryRun ? 1 : 0,
        grace_seconds: run.graceSeconds,
        links_deleted: run.linksDeleted,
        blobs_deleted: run.blobsDeleted,
        bytes_freed: run.bytesFreed,
        error: run.error,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...run, id: Number(row.id) };
  }

  async listRuns(limit: number): Promise<GcRunRecord[]> {
    const rows = await this.db.selectFrom('gc_runs').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map(fromRunRow);
  }

  private async inUse(digest: string): Promise<boolean> {
    const link = await this.db.selectFrom('blob_links').select('digest').where('digest', '=', digest).limit(1).executeTakeFirst();
    if (link) return true;
    const ref = await this.db.selectFrom('manifest_references').select('digest').where('digest', '=', digest).limit(1).executeTakeFirst();
    return ref !== undefined;
  }
}

/** A link no manifest of its repository references, last used before `cutoff` (both stamps: older replicas set only created_at). */
function collectableLink(eb: ExpressionBuilder<Database & { l: BlobLinksTable }, 'l'>, cutoff: number) {
  return eb.and([
    eb('l.touched_at', '<', cutoff),
    eb('l.created_at', '<', cutoff),
    eb.not(eb.exists(eb.selectFrom('manifest_references as r').select(sql`1`.as('one')).whereRef('r.repository', '=', 'l.repository').whereRef('r.digest', '=', 'l.digest'))),
  ]);
}

function fromRunRow(r: { [K in keyof GcRunsTable]: K extends 'id' ? number : GcRunsTable[K] }): GcRunRecord {
  return {
    id: Number(r.id),
    holder: r.holder,
    startedAt: new Date(Number(r.started_at)),
    durationMs: Number(r.duration_ms),
    dryRun: Number(r.dry_run) === 1,
    graceSeconds: Number(r.grace_seconds),
    linksDeleted: Number(r.links_deleted),
    blobsDeleted: Number(r.blobs_deleted),
    bytesFreed: Number(r.bytes_freed),
    error: r.error,
  };
}
