// The read side of repository and artifact listings (the REST API's repositories/artifacts pages):
// one query for a page, then a constant number of batch queries over that page's names or digests
// for counts, tags, sizes and pull times, so a page costs the same whatever its size (no N+1).
import { sql, type Kysely } from 'kysely';
import type { ArtifactSummary, OffsetPage, RepositorySummary, TagRecord } from '../../core/ports/registry-store.js';
import type { Database, ManifestsTable } from './schema.js';
import type { RetentionTables } from './sql-retention-schema.js';
import { fromManifestRow } from './manifest-rows.js';

type Db = Kysely<Database & RetentionTables>;

const MANIFEST_COLUMNS = ['repository', 'digest', 'media_type', 'size', 'subject', 'artifact_type', 'annotations', 'created_at'] as const;
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

/** Repositories `<project>/...` that hold a manifest, name-ordered and offset-paged, with their counts; `contains` looks past the prefix. */
export async function listProjectRepositories(db: Db, project: string, query: { contains?: string | undefined; offset: number; limit: number }): Promise<OffsetPage<RepositorySummary>> {
  // `0` is the character after `/`: every `<project>/...` name sorts inside this range (a key range scan).
  let names = db
    .selectFrom('repositories')
    .where('name', '>', `${project}/`)
    .where('name', '<', `${project}0`)
    .where(({ exists, selectFrom }) => exists(selectFrom('manifests').select('digest').whereRef('manifests.repository', '=', 'repositories.name')));
  if (query.contains) names = names.where(sql<boolean>`${sql.ref('repositories.name')} like ${`${escapeLike(project)}/%${escapeLike(query.contains)}%`} escape '!'`);
  const { total } = await names.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
  const page = (await names.select('name').orderBy('name').offset(query.offset).limit(query.limit).execute()).map((r) => r.name);
  return { total: Number(total), items: await summaries(db, page) };
}

/** One repository's summary, null when it holds no manifest. */
export async function repositorySummary(db: Db, name: string): Promise<RepositorySummary | null> {
  const [summary] = await summaries(db, [name]);
  return summary && summary.artifactCount > 0 ? summary : null;
}

async function summaries(db: Db, names: string[]): Promise<RepositorySummary[]> {
  if (names.length === 0) return [];
  const [manifests, tags] = await Promise.all([
    db.selectFrom('manifests').select((eb) => ['repository', eb.fn.countAll<number | string>().as('n'), eb.fn.max('created_at').as('latest')]).where('repository', 'in', names).groupBy('repository').execute(),
    db.selectFrom('tags').select((eb) => ['repository', eb.fn.countAll<number | string>().as('n'), eb.fn.max('updated_at').as('latest')]).where('repository', 'in', names).groupBy('repository').execute(),
  ]);
  const m = new Map(manifests.map((r) => [r.repository, r]));
  const t = new Map(tags.map((r) => [r.repository, r]));
  return names.map((name) => ({
    name,
    artifactCount: Number(m.get(name)?.n ?? 0),
    tagCount: Number(t.get(name)?.n ?? 0),
    updatedAt: new Date(Math.max(Number(m.get(name)?.latest ?? 0), Number(t.get(name)?.latest ?? 0))),
  }));
}

/** Manifests of a repository, newest first, offset-paged, with tags, sizes and pull times. */
export async function listArtifacts(db: Db, repository: string, query: { offset: number; limit: number }): Promise<OffsetPage<ArtifactSummary>> {
  const { total } = await db.selectFrom('manifests').select((eb) => eb.fn.countAll<number | string>().as('total')).where('repository', '=', repository).executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('manifests')
    .select(MANIFEST_COLUMNS)
    .where('repository', '=', repository)
    .orderBy('created_at', 'desc')
    .orderBy('digest')
    .offset(query.offset)
    .limit(query.limit)
    .execute();
  return { total: Number(total), items: await decorate(db, repository, rows) };
}

/** One manifest as listings show it. */
export async function artifactSummary(db: Db, repository: string, digest: string): Promise<ArtifactSummary | null> {
  const row = await db.selectFrom('manifests').select(MANIFEST_COLUMNS).where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
  return row ? ((await decorate(db, repository, [row]))[0] ?? null) : null;
}

/** Every manifest digest of a repository with its tags. */
export async function repositoryContents(db: Db, repository: string): Promise<Array<{ digest: string; tags: string[] }>> {
  const [manifests, tags] = await Promise.all([
    db.selectFrom('manifests').select('digest').where('repository', '=', repository).orderBy('digest').execute(),
    db.selectFrom('tags').select(['name', 'digest']).where('repository', '=', repository).orderBy('name').execute(),
  ]);
  const byDigest = new Map<string, string[]>();
  for (const t of tags) byDigest.set(t.digest, [...(byDigest.get(t.digest) ?? []), t.name]);
  return manifests.map((m) => ({ digest: m.digest, tags: byDigest.get(m.digest) ?? [] }));
}

async function decorate(db: Db, repository: string, rows: Array<Omit<ManifestsTable, 'content'>>): Promise<ArtifactSummary[]> {
  if (rows.length === 0) return [];
  const digests = rows.map((r) => r.digest);
  const [tags, sizes, pulls] = await Promise.all([
    db.selectFrom('tags').select(['name', 'digest', 'updated_at']).where('repository', '=', repository).where('digest', 'in', digests).orderBy('updated_at', 'desc').orderBy('name').execute(),
    db
      .selectFrom('manifest_references as r')
      .innerJoin('blob_links as b', (j) => j.onRef('b.repository', '=', 'r.repository').onRef('b.digest', '=', 'r.digest'))
      .select((eb) => ['r.manifest_digest', eb.fn.sum<number | string>('b.size').as('bytes')])
      .where('r.repository', '=', repository)
      .where('r.kind', '=', 'blob')
      .where('r.manifest_digest', 'in', digests)
      .groupBy('r.manifest_digest')
      .execute(),
    db.selectFrom('manifest_pulls').select(['digest', 'pulled_at']).where('repository', '=', repository).where('digest', 'in', digests).execute(),
  ]);
  const tagsOf = new Map<string, TagRecord[]>();
  for (const t of tags) tagsOf.set(t.digest, [...(tagsOf.get(t.digest) ?? []), { name: t.name, updatedAt: new Date(Number(t.updated_at)) }]);
  const blobBytes = new Map(sizes.map((s) => [s.manifest_digest, Number(s.bytes)]));
  const pulledAt = new Map(pulls.map((p) => [p.digest, new Date(Number(p.pulled_at))]));
  return rows.map((r) => ({
    ...fromManifestRow(r),
    totalSize: Number(r.size) + (INDEX_TYPES.includes(r.media_type) ? 0 : (blobBytes.get(r.digest) ?? 0)),
    pulledAt: pulledAt.get(r.digest) ?? null,
    tags: tagsOf.get(r.digest) ?? [],
  }));
}

/** `text` for a LIKE pattern with `!` as the escape character. */
function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}
