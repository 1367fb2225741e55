// Mark-and-sweep garbage collection of blob bytes, safe while other replicas push.
//
// What is garbage. A blob link (a blob pushed or mounted into a repository) is garbage when no
// manifest of that repository references it and nothing used it (push, mount, HEAD, manifest push)
// for the grace window. Blob bytes are garbage when no manifest in any repository references the
// digest, no link is left, and the blob was not claimed for the grace window. Manifests are stored
// in the database, so only blob bytes leave the BlobStore. Untagged manifests are not collected.
//
// The blob index. Every blob the registry commits has a `blobs` row (digest, size, last touched,
// state). A writer that finds a row claims it (live, touched now) before it commits the bytes; one
// that finds none (new content, the common case) commits first, because GC never touches a digest
// without a row, and checks the bytes are there once its link transaction has made the row live (a
// row that appeared and was swept, bytes and all, meanwhile shows as missing bytes: UNAVAILABLE). Every
// statement that creates a link or relies on one refreshes, in the same transaction, the row GC
// would have to change to take it away: the `blobs` row for a link's creation (upload commit,
// mount), the `blob_links` row for a HEAD or a manifest push. GC only ever changes one row per
// statement and re-states its whole condition in it (untouched since the cutoff, unlinked,
// unreferenced). On PostgreSQL a GC statement meeting a row a push has just refreshed waits for
// that push's transaction and then re-checks the refreshed row, so it leaves it alone; a push meeting
// a row GC already took finds it gone and fails cleanly (MANIFEST_BLOB_UNKNOWN, UNAVAILABLE), before
// any client was told the content exists. A link GC deleted is put back if a reference to it shows
// up right after, so no reference is left without its link whatever the clocks. SQLite runs one
// writer at a time, which is simpler still.
//
// Sweeping a blob, in this order:
//  1. mark: live -> `sweeping`, in one conditional UPDATE; then re-read the links and references and
//     go back to live if one appeared (this check holds whatever the replicas' clocks say);
//  2. delete the bytes;
//  3. delete the row.
// While a row is `sweeping` no link to it can be created: a mount falls back to an upload, and an
// upload commit waits for the row to go (3) and then claims it afresh and writes the bytes again, so
// bytes deleted in (2) are never the bytes a later commit relies on. Because the row goes after the
// bytes, a commit that rewrites the bytes after GC decided to delete them cannot lose them.
//
// Grace window. A client that was told a blob exists (upload 201, mount 201, HEAD 200) has the grace
// window (default 2 h, like Harbor) to push the manifest that references it: those answers refresh
// the link, and GC spares links used within `graceSeconds` (+ LINK_TOUCH_INTERVAL_MS, the HEAD
// refresh throttle) of its start. Clock skew between replicas eats into the window, so keep the window
// far above it; correctness of the references themselves does not depend on clocks. A window of 0
// collects everything unreferenced at once (maintenance, with pushes stopped). The window must also
// outlast one blob commit (claim to link): a commit slower than that fails with UNAVAILABLE.
//
// One GC at a time. A lease row in the database (GC_LEASE_MS, renewed as the run goes) lets one
// replica collect at a time; a crashed GC's lease expires. A sweep it left marked is finished by the
// next GC, or taken back to live by a writer that finds it older than SWEEP_ABANDONED_MS. GC re-checks
// its lease and the age of its mark right before deleting bytes, so only a process paused for longer
// than that, between that check and the delete call, could delete bytes a writer has taken back.
//
// Untagged manifests are kept: doing that safely needs the same refresh discipline on manifest rows
// (tag moves, index children, referrer subjects, model-version bindings), which is not built yet.
// Blobs whose links were removed before migration 0006_blob_gc (no row in the index), or committed by
// a replica still running an older Berth, are not known to GC and stay in storage.
import { randomUUID } from 'node:crypto';
import { RegistryError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import { LINK_TOUCH_INTERVAL_MS, type GcRunRecord, type GcStore } from '../ports/gc-store.js';
import type { RegistryStore } from '../ports/registry-store.js';

/** How long a GC lease lasts without renewal. */
export const GC_LEASE_MS = 60_000;
/** A sweep marked longer ago than this belongs to a GC that stopped; writers may take the blob back. */
export const SWEEP_ABANDONED_MS = 2 * GC_LEASE_MS;

const PAGE = 500;
const CLAIM_POLL_MS = 25;

/** What a run may be asked to do. */
export interface GcOptions {
  /** Count what would go, delete nothing. */
  dryRun?: boolean | undefined;
  /** Spare everything used more recently than this (default: the configured window). */
  graceSeconds?: number | undefined;
}

/** The outcome of a run (for a dry run: what it would delete). */
export type GcReport = GcRunRecord;

/** Runs garbage collection over the BlobStore and the GC side of the database. */
export class GarbageCollector {
  constructor(
    private readonly blobs: BlobStore,
    private readonly store: GcStore,
    private readonly clock: Clock,
    private readonly defaults: { graceSeconds: number; holder: string },
  ) {}

  /** Runs one collection; CONFLICT when another replica is collecting. */
  async collect(options: GcOptions = {}): Promise<GcReport> {
    const graceSeconds = options.graceSeconds ?? this.defaults.graceSeconds;
    if (!Number.isFinite(graceSeconds) || graceSeconds < 0) throw new RegistryError('INVALID', 'graceSeconds must be a non-negative number');
    const dryRun = options.dryRun ?? false;
    const holder = `${this.defaults.holder}/${randomUUID()}`;
    const started = this.clock.now();
    if (!(await this.store.acquireLease(holder, after(started, GC_LEASE_MS), started))) {
      throw new RegistryError('CONFLICT', 'a garbage collection is already running');
    }
    const lease = new Lease(this.store, this.clock, holder, started);
    const counts = { linksDeleted: 0, blobsDeleted: 0, bytesFreed: 0 };
    let failure: unknown = null;
    try {
      // A grace window of 0 (maintenance with pushes stopped) takes every unreferenced link at once.
      const linksBefore = after(started, -graceSeconds * 1000 - (graceSeconds > 0 ? LINK_TOUCH_INTERVAL_MS : 0));
      const blobsBefore = after(started, -graceSeconds * 1000);
      if (dryRun) {
        counts.linksDeleted = await this.store.countCollectableLinks(linksBefore);
        await this.eachCollectable(lease, linksBefore, blobsBefore, async (blob) => {
          counts.blobsDeleted += 1;
          counts.bytesFreed += blob.size;
        });
      } else {
        await this.finishAbandonedSweeps(lease, counts);
        for (;;) {
          await lease.renewIfDue();
          const batch = await this.store.deleteCollectableLinks(linksBefore, PAGE);
          counts.linksDeleted += batch.deleted;
          if (batch.examined < PAGE) break;
        }
        await this.eachCollectable(lease, linksBefore, blobsBefore, async (blob) => {
          const markedAt = this.clock.now();
          if (!(await this.store.markSweeping(blob.digest, blobsBefore, markedAt))) return;
          await this.sweep(lease, blob.digest, markedAt);
          counts.blobsDeleted += 1;
          counts.bytesFreed += blob.size;
        });
      }
    } catch (err) {
      failure = err;
    }
    await this.store.releaseLease(holder).catch(() => undefined);
    const error = failure === null ? null : failure instanceof Error ? failure.message : String(failure);
    const run = { holder: this.defaults.holder, startedAt: started, durationMs: this.clock.now().getTime() - started.getTime(), dryRun, graceSeconds, ...counts, error };
    // A failed run is recorded too, and then its error is thrown.
    const recorded = await this.store.recordRun(run).catch(() => ({ ...run, id: 0 }));
    if (failure !== null) throw failure;
    return recorded;
  }

  /** The latest runs, newest first. */
  async history(limit: number): Promise<GcReport[]> {
    return this.store.listRuns(limit);
  }

  private async eachCollectable(lease: Lease, linksBefore: Date, blobsBefore: Date, visit: (blob: { digest: string; size: number }) => Promise<void>): Promise<void> {
    let last: string | undefined;
    for (;;) {
      await lease.renewIfDue();
      const page = await this.store.listCollectableBlobs(linksBefore, blobsBefore, last, PAGE);
      for (const blob of page) await visit(blob);
      if (page.length < PAGE) return;
      last = page[page.length - 1]!.digest;
    }
  }

  private async finishAbandonedSweeps(lease: Lease, counts: { blobsDeleted: number; bytesFreed: number }): Promise<void> {
    for (;;) {
      const abandoned = await this.store.listAbandonedSweeps(after(this.clock.now(), -SWEEP_ABANDONED_MS), PAGE);
      for (const blob of abandoned) {
        const at = this.clock.now();
        if (!(await this.store.retakeSweep(blob.digest, blob.markedAt, at))) continue;
        await this.sweep(lease, blob.digest, at);
        counts.blobsDeleted += 1;
        counts.bytesFreed += blob.size;
      }
      if (abandoned.length < PAGE) return;
    }
  }

  /** Deletes the bytes of a blob this run marked at `markedAt`, then its row. */
  private async sweep(lease: Lease, digest: string, markedAt: Date): Promise<void> {
    try {
      await lease.renewIfDue();
      if (this.clock.now().getTime() - markedAt.getTime() >= GC_LEASE_MS) throw new Error('garbage collection stalled between marking and deleting a blob');
      await this.blobs.delete(digest);
    } catch (err) {
      await this.store.unmarkSweeping(digest).catch(() => undefined);
      throw err;
    }
    await this.store.finishSweep(digest);
  }
}

/**
 * Claims blob `digest` for a commit (see RegistryStore.claimBlob), waiting while a GC deletes it;
 * afterwards GC leaves it alone for its grace window.
 */
export async function claimBlobForCommit(store: RegistryStore, clock: Clock, digest: string, size: number): Promise<void> {
  const deadline = clock.now().getTime() + SWEEP_ABANDONED_MS + GC_LEASE_MS;
  for (;;) {
    const now = clock.now();
    if (await store.claimBlob(digest, size, now, after(now, -SWEEP_ABANDONED_MS))) return;
    if (now.getTime() > deadline) throw new RegistryError('UNAVAILABLE', 'the blob is being garbage-collected; retry', { detail: { digest } });
    await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
  }
}

/** The GC lease of one run, renewed once a third of it has passed. */
class Lease {
  private renewedAt: number;

  constructor(
    private readonly store: GcStore,
    private readonly clock: Clock,
    private readonly holder: string,
    acquired: Date,
  ) {
    this.renewedAt = acquired.getTime();
  }

  async renewIfDue(): Promise<void> {
    const now = this.clock.now();
    if (now.getTime() - this.renewedAt < GC_LEASE_MS / 3) return;
    if (now.getTime() - this.renewedAt >= GC_LEASE_MS || !(await this.store.acquireLease(this.holder, after(now, GC_LEASE_MS), now))) {
      throw new Error('garbage collection lost its lease');
    }
    this.renewedAt = now.getTime();
  }
}

function after(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}
