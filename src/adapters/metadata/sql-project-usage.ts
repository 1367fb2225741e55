// Project storage usage, booked inside the registry store's manifest transactions: each manifest row
// (repository, digest) counts one reference to its own digest and to each blob it references, in the
// project's `project_blobs`; usage is the sum of the sizes of the digests with references. Every
// booking first locks the project's `project_quotas` row (an upsert), so on PostgreSQL two pushes or a
// push and a delete of one project take turns for the few statements that follow (SQLite serialises
// write transactions anyway); the limit check therefore sees what the previous push committed, and
// two concurrent pushes that each fit alone but not together cannot both pass.
import { sql, type Transaction } from 'kysely';
import type { DomainEvent } from '../../core/events/domain-events.js';
import { projectOfRepository } from '../../core/events/domain-events.js';
import { quotaExceeded } from '../../core/policies/quota-policy.js';
import type { QuotaCharge, UsageRepair } from '../../core/ports/policy-store.js';
import type { Database } from './schema.js';

const CHUNK = 500;

/** Locks (creating when absent) a project's quota row; returns its limit and usage. */
export async function lockQuotaRow(trx: Transaction<Database>, project: string, now: number): Promise<{ hard: number | null; used: number }> {
  const row = await trx
    .insertInto('project_quotas')
    .values({ project, hard: null, used: 0, updated_at: now })
    .onConflict((oc) => oc.column('project').doUpdateSet({ updated_at: now }))
    .returning(['hard', 'used'])
    .executeTakeFirstOrThrow();
  return { hard: row.hard === null ? null : Number(row.hard), used: Number(row.used) };
}

/**
 * Books a newly stored manifest row and the blobs it references against its project; throws DENIED
 * (quotaExceeded) when the content it adds would take the project over its hard limit. Returns the
 * events `charge.onCharged` asks to record with the push.
 */
export async function chargeManifest(
  trx: Transaction<Database>,
  manifest: { repository: string; digest: string; size: number },
  blobDigests: string[],
  charge: QuotaCharge | undefined,
): Promise<readonly DomainEvent[]> {
  const now = Date.now();
  const project = projectOfRepository(manifest.repository);
  const sizes = new Map<string, number>([[manifest.digest, manifest.size]]);
  const blobs = [...new Set(blobDigests)].filter((d) => d !== manifest.digest);
  for (let i = 0; i < blobs.length; i += CHUNK) {
    const rows = await trx.selectFrom('blob_links').select(['digest', 'size']).where('repository', '=', manifest.repository).where('digest', 'in', blobs.slice(i, i + CHUNK)).execute();
    for (const r of rows) sizes.set(r.digest, Number(r.size));
  }
  const quota = await lockQuotaRow(trx, project, now);
  const digests = [...sizes.keys()];
  const known = new Set<string>();
  for (let i = 0; i < digests.length; i += CHUNK) {
    const rows = await trx.selectFrom('project_blobs').select('digest').where('project', '=', project).where('digest', 'in', digests.slice(i, i + CHUNK)).execute();
    for (const r of rows) known.add(r.digest);
  }
  let added = 0;
  for (const [digest, size] of sizes) if (!known.has(digest)) added += size;
  const hard = quota.hard ?? charge?.defaultHard ?? -1;
  if (added > 0 && hard >= 0 && quota.used + added > hard) throw quotaExceeded(project, hard, quota.used, added);
  if (added > 0) await trx.updateTable('project_quotas').set({ used: sql<number>`used + ${added}` }).where('project', '=', project).execute();
  const rows = [...sizes].map(([digest, size]) => ({ project, digest, size, refs: 1 }));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('project_blobs')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['project', 'digest']).doUpdateSet({ refs: sql<number>`project_blobs.refs + 1` }))
      .execute();
  }
  return charge?.onCharged?.({ project, hard, before: quota.used, added }) ?? [];
}

/** Releases a deleted manifest row's references; content no other manifest of the project refers to stops counting. */
export async function releaseManifest(trx: Transaction<Database>, repository: string, digest: string, blobDigests: string[]): Promise<void> {
  const project = projectOfRepository(repository);
  const digests = [...new Set([digest, ...blobDigests])];
  await lockQuotaRow(trx, project, Date.now());
  let freed = 0;
  for (let i = 0; i < digests.length; i += CHUNK) {
    const part = digests.slice(i, i + CHUNK);
    await trx.updateTable('project_blobs').set({ refs: sql<number>`refs - 1` }).where('project', '=', project).where('digest', 'in', part).execute();
    const gone = await trx.deleteFrom('project_blobs').where('project', '=', project).where('digest', 'in', part).where('refs', '<=', 0).returning('size').execute();
    for (const r of gone) freed += Number(r.size);
  }
  if (freed > 0) await trx.updateTable('project_quotas').set({ used: sql<number>`case when used > ${freed} then used - ${freed} else 0 end` }).where('project', '=', project).execute();
}

/** Rebuilds one project's references and usage from its manifests (inside the caller's transaction). */
export async function recomputeProject(trx: Transaction<Database>, project: string): Promise<UsageRepair> {
  const before = (await lockQuotaRow(trx, project, Date.now())).used;
  await trx.deleteFrom('project_blobs').where('project', '=', project).execute();
  // The project's repositories: `<project>` itself and everything in ['<project>/', '<project>0'), a range scan.
  const inProject = (column: string) => sql`(${sql.ref(column)} = ${project} or (${sql.ref(column)} >= ${`${project}/`} and ${sql.ref(column)} < ${`${project}0`}))`;
  await sql`
    insert into project_blobs (project, digest, size, refs)
    select ${project}, digest, max(size), count(*) from (
      select m.digest as digest, m.size as size from manifests m where ${inProject('m.repository')}
      union all
      select r.digest as digest, coalesce(l.size, b.size, 0) as size
      from manifest_references r
      left join blob_links l on l.repository = r.repository and l.digest = r.digest
      left join blobs b on b.digest = r.digest
      where r.kind = 'blob' and ${inProject('r.repository')}
    ) x group by digest`.execute(trx);
  const total = await trx.selectFrom('project_blobs').select(sql<number>`coalesce(sum(size), 0)`.as('used')).where('project', '=', project).executeTakeFirstOrThrow();
  const after = Number(total.used);
  await trx.updateTable('project_quotas').set({ used: after }).where('project', '=', project).execute();
  return { project, before, after };
}
