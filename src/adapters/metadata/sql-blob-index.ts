// The blob index as the registry store keeps it: claims before a commit, link refreshes on HEAD, mount
// and manifest push, each a statement on the `blobs` or `blob_links` row it protects, so that on
// PostgreSQL a concurrent GC statement on that row waits for it and then re-checks its condition.
// Why these rows make GC safe: src/core/oci/garbage-collector.ts.
import type { Kysely, Transaction } from 'kysely';
import { RegistryError } from '../../core/errors.js';
import { LINK_TOUCH_INTERVAL_MS } from '../../core/ports/gc-store.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Creates or refreshes a live blob row; false (changing nothing) while the blob is being swept. */
export async function touchLiveBlob(db: Db, digest: string, size: number, at: number): Promise<boolean> {
  const result = await db
    .insertInto('blobs')
    .values({ digest, size, touched_at: at, state: 'live', marked_at: null })
    .onConflict((oc) => oc.column('digest').doUpdateSet({ touched_at: at }).where('blobs.state', '=', 'live'))
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** claimBlob of the RegistryStore port. */
export async function claimBlob(db: Kysely<Database>, digest: string, size: number, at: number, staleBefore: number): Promise<boolean> {
  if (await touchLiveBlob(db, digest, size, at)) return true;
  const retaken = await db
    .updateTable('blobs')
    .set({ state: 'live', marked_at: null, touched_at: at })
    .where('digest', '=', digest)
    .where('state', '=', 'sweeping')
    .where('marked_at', '<', staleBefore)
    .executeTakeFirst();
  return Number(retaken.numUpdatedRows) > 0;
}

/** Creates or refreshes a blob's live record inside a link transaction; throws UNAVAILABLE while GC sweeps it. */
export async function requireClaimedBlob(trx: Transaction<Database>, digest: string, size: number, at: number): Promise<void> {
  if (!(await touchLiveBlob(trx, digest, size, at))) {
    throw new RegistryError('UNAVAILABLE', 'the blob was garbage-collected while it was being committed; push it again', { detail: { digest } });
  }
}

/** touchBlobLink of the RegistryStore port: writes only when the last refresh is older than LINK_TOUCH_INTERVAL_MS. */
export async function touchLink(db: Kysely<Database>, repository: string, digest: string, at: number): Promise<{ size: number } | null> {
  const row = await db.selectFrom('blob_links').select(['size', 'touched_at']).where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
  if (!row) return null;
  if (Number(row.touched_at) >= at - LINK_TOUCH_INTERVAL_MS) return { size: Number(row.size) };
  const result = await db
    .updateTable('blob_links')
    .set({ touched_at: at })
    .where('repository', '=', repository)
    .where('digest', '=', digest)
    .where('touched_at', '<', at)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return { size: Number(row.size) };
  // Nothing updated: refreshed by someone else meanwhile, or deleted by GC.
  const again = await db.selectFrom('blob_links').select('size').where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
  return again ? { size: Number(again.size) } : null;
}

/**
 * Refreshes the links of `digests` in `repository` inside a manifest push; throws MANIFEST_BLOB_UNKNOWN
 * when one is gone, so the push stores nothing. Rows are locked in digest order (no deadlocks).
 */
export async function touchReferencedLinks(trx: Transaction<Database>, repository: string, digests: string[], at: number, chunk: number): Promise<void> {
  const sorted = [...new Set(digests)].sort();
  const found = new Set<string>();
  for (let i = 0; i < sorted.length; i += chunk) {
    const part = sorted.slice(i, i + chunk);
    const rows = await trx.updateTable('blob_links').set({ touched_at: at }).where('repository', '=', repository).where('digest', 'in', part).returning('digest').execute();
    for (const r of rows) found.add(r.digest);
  }
  const missing = sorted.filter((d) => !found.has(d));
  if (missing.length > 0) {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest references unknown content: ${missing.slice(0, 3).join(', ')}`, {
      detail: missing.map((d) => ({ digest: d })),
    });
  }
}
