// The GcStore port: what garbage collection asks of the database (the blob index, blob links, the
// GC lease and the record of runs). The rules that make a sweep safe beside live pushes are in
// src/core/oci/garbage-collector.ts. Every driver passes test/contracts/gc-store.contract.ts.

/**
 * A HEAD refreshes a blob link at most this often, so GC spares links last used within its grace
 * window plus this interval.
 */
export const LINK_TOUCH_INTERVAL_MS = 1000;

/** A blob GC may delete. */
export interface CollectableBlob {
  digest: string;
  size: number;
}

/** A sweep left `sweeping` by a GC that stopped before finishing it. */
export interface AbandonedSweep extends CollectableBlob {
  markedAt: Date;
}

/** One GC run as recorded. */
export interface GcRunRecord {
  id: number;
  holder: string;
  startedAt: Date;
  durationMs: number;
  dryRun: boolean;
  graceSeconds: number;
  linksDeleted: number;
  blobsDeleted: number;
  bytesFreed: number;
  error: string | null;
}

/** The database side of garbage collection. */
export interface GcStore {
  /** Takes (or extends, when `holder` has it) the one GC lease until `until`; false while another holder's lease runs past `now`. */
  acquireLease(holder: string, until: Date, now: Date): Promise<boolean>;
  /** Gives the lease up if `holder` has it. */
  releaseLease(holder: string): Promise<void>;

  /** How many blob links no manifest of their repository references and that were last used before `before`. */
  countCollectableLinks(before: Date): Promise<number>;
  /**
   * Deletes up to `limit` of those links, each only if it still qualifies when deleted; returns how
   * many it examined (fewer than `limit`: no more are left) and how many went.
   */
  deleteCollectableLinks(before: Date, limit: number): Promise<{ examined: number; deleted: number }>;

  /**
   * Live blobs last touched before `blobsBefore` that no manifest references and that no link keeps
   * (every link left is collectable under `linksBefore`), after digest `after`, in digest order.
   */
  listCollectableBlobs(linksBefore: Date, blobsBefore: Date, after: string | undefined, limit: number): Promise<CollectableBlob[]>;
  /**
   * Marks a blob `sweeping` when it is live, untouched since `before`, unlinked and unreferenced.
   * Once this returns true no link to it can be created until finishSweep or unmarkSweeping.
   */
  markSweeping(digest: string, before: Date, at: Date): Promise<boolean>;
  /** Returns a `sweeping` blob to live (its bytes were not deleted). */
  unmarkSweeping(digest: string): Promise<void>;
  /** Forgets a blob whose bytes are gone. */
  finishSweep(digest: string): Promise<void>;
  /** Sweeps marked before `markedBefore` (their GC died), at most `limit`. */
  listAbandonedSweeps(markedBefore: Date, limit: number): Promise<AbandonedSweep[]>;
  /** Takes over an abandoned sweep if it is still marked at `markedAt`, re-marking it at `at`. */
  retakeSweep(digest: string, markedAt: Date, at: Date): Promise<boolean>;

  /** Records a run and returns it with its id. */
  recordRun(run: Omit<GcRunRecord, 'id'>): Promise<GcRunRecord>;
  /** The latest runs, newest first. */
  listRuns(limit: number): Promise<GcRunRecord[]>;
}
