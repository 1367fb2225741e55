// RegistryStore on a relational database through Kysely; the same code serves SQLite and PostgreSQL.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ManifestReference } from '../../core/oci/manifest.js';
import type { DigestAlgorithm } from '../../core/oci/digest.js';
import type { ArtifactSummary, ManifestRecord, OffsetPage, PageQuery, PutManifestOptions, RegistryStore, RepositorySummary, StoredManifest, UploadProgress, UploadRecord } from '../../core/ports/registry-store.js';
import type { Database, UploadsTable } from './schema.js';
import { claimBlob, requireClaimedBlob, touchLink, touchLiveBlob, touchReferencedLinks } from './sql-blob-index.js';
import type { DomainEvent } from '../../core/events/domain-events.js';
import { insertEvents } from './sql-outbox.js';
import { chargeManifest, releaseManifest } from './sql-project-usage.js';
import { RegistryError } from '../../core/errors.js';
import * as listing from './sql-artifact-listing.js';
import { fromManifestRow, toManifestRow } from './manifest-rows.js';
import type { RetentionTables } from './sql-retention-schema.js';

const IN_LIST_CHUNK = 500;

/** A RegistryStore over an open, migrated Kysely database; `onClose` releases the connection. */
export class SqlRegistryStore implements RegistryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onClose: () => Promise<void>,
  ) {}

  async listRepositories(page: PageQuery): Promise<string[]> {
    let q = this.db.selectFrom('repositories').select('name').orderBy('name').limit(page.limit);
    if (page.last !== undefined) q = q.where('name', '>', page.last);
    return (await q.execute()).map((r) => r.name);
  }

  async repositoryExists(name: string): Promise<boolean> {
    return (await this.db.selectFrom('repositories').select('name').where('name', '=', name).executeTakeFirst()) !== undefined;
  }

  async getLinkedBlob(repository: string, digest: string): Promise<{ size: number } | null> {
    const row = await this.db.selectFrom('blob_links').select('size').where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
    return row ? { size: Number(row.size) } : null;
  }

  async findBlobLinks(digest: string, limit: number): Promise<Array<{ size: number; repository: string }>> {
    const rows = await this.db.selectFrom('blob_links').select(['size', 'repository']).where('digest', '=', digest).orderBy('repository').limit(limit).execute();
    return rows.map((r) => ({ size: Number(r.size), repository: r.repository }));
  }

  async touchBlobLink(repository: string, digest: string, at: Date): Promise<{ size: number } | null> {
    return touchLink(this.db, repository, digest, at.getTime());
  }

  async linkBlob(repository: string, digest: string, size: number): Promise<boolean> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      if (!(await touchLiveBlob(trx, digest, size, now))) return false;
      await link(trx, repository, digest, size, now);
      return true;
    });
  }

  async claimBlob(digest: string, size: number, at: Date, staleBefore: Date): Promise<boolean> {
    return claimBlob(this.db, digest, size, at.getTime(), staleBefore.getTime());
  }

  async hasBlobRecord(digest: string): Promise<boolean> {
    return (await this.db.selectFrom('blobs').select('digest').where('digest', '=', digest).executeTakeFirst()) !== undefined;
  }

  async unlinkBlob(repository: string, digest: string): Promise<boolean> {
    const result = await this.db.deleteFrom('blob_links').where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async createUpload(upload: UploadRecord): Promise<void> {
    await this.db.insertInto('uploads').values(toUploadRow(upload)).execute();
  }

  async getUpload(id: string): Promise<UploadRecord | null> {
    const row = await this.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromUploadRow(row) : null;
  }

  async setUploadSize(id: string, expectedSize: number, size: number, at: Date, progress?: UploadProgress): Promise<boolean> {
    const state = progress ? { hash_state: bytea(progress.hashState), blob_version: progress.blobVersion } : {};
    const result = await this.db
      .updateTable('uploads')
      .set({ size, updated_at: at.getTime(), ...state })
      .where('id', '=', id)
      .where('size', '=', expectedSize)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteUpload(id: string): Promise<void> {
    await this.db.deleteFrom('uploads').where('id', '=', id).execute();
  }

  async finishUpload(id: string, repository: string, digest: string, size: number): Promise<void> {
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('uploads').where('id', '=', id).execute();
      await requireClaimedBlob(trx, digest, size, now);
      await link(trx, repository, digest, size, now);
    });
  }

  async listStaleUploads(before: Date): Promise<UploadRecord[]> {
    const rows = await this.db.selectFrom('uploads').selectAll().where('updated_at', '<', before.getTime()).execute();
    return rows.map(fromUploadRow);
  }

  async missingReferences(repository: string, references: ManifestReference[]): Promise<string[]> {
    const blobs = unique(references.filter((r) => r.kind === 'blob').map((r) => r.digest));
    const manifests = unique(references.filter((r) => r.kind === 'manifest').map((r) => r.digest));
    const found = new Set<string>();
    for (const part of chunks(blobs)) {
      const rows = await this.db.selectFrom('blob_links').select('digest').where('repository', '=', repository).where('digest', 'in', part).execute();
      for (const r of rows) found.add(r.digest);
    }
    for (const part of chunks(manifests)) {
      const rows = await this.db.selectFrom('manifests').select('digest').where('repository', '=', repository).where('digest', 'in', part).execute();
      for (const r of rows) found.add(r.digest);
    }
    return [...blobs, ...manifests].filter((d) => !found.has(d));
  }

  async putManifest(manifest: StoredManifest, references: ManifestReference[], tag?: string, events?: readonly DomainEvent[], options: PutManifestOptions = {}): Promise<void> {
    const now = manifest.createdAt.getTime();
    const { repository, digest } = manifest;
    let outbox = events ?? [];
    await this.db.transaction().execute(async (trx) => {
      const blobs = references.filter((r) => r.kind === 'blob').map((r) => r.digest);
      await touchReferencedLinks(trx, repository, blobs, Date.now(), IN_LIST_CHUNK);
      await ensureRepository(trx, repository, now);
      const inserted = await trx
        .insertInto('manifests')
        .values(toManifestRow(manifest))
        .onConflict((oc) => oc.columns(['repository', 'digest']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) {
        const refs = unique(references.map((r) => `${r.kind} ${r.digest}`)).map((key) => {
          const [kind, ref] = key.split(' ') as [string, string];
          return { repository, manifest_digest: digest, digest: ref, kind };
        });
        for (const part of chunks(refs)) await trx.insertInto('manifest_references').values(part).onConflict((oc) => oc.doNothing()).execute();
        outbox = [...outbox, ...(await chargeManifest(trx, manifest, blobs, options.quota))];
      }
      if (tag !== undefined && options.immutableTag !== undefined) {
        // An immutable tag is created or left alone, never moved; the check holds against a racing push.
        await trx.insertInto('tags').values({ repository, name: tag, digest, updated_at: now }).onConflict((oc) => oc.columns(['repository', 'name']).doNothing()).execute();
        const current = await trx.selectFrom('tags').select('digest').where('repository', '=', repository).where('name', '=', tag).executeTakeFirst();
        if (current?.digest !== digest) throw new RegistryError('DENIED', options.immutableTag, { detail: { repository, tag, digest: current?.digest } });
      } else if (tag !== undefined) {
        await trx
          .insertInto('tags')
          .values({ repository, name: tag, digest, updated_at: now })
          .onConflict((oc) => oc.columns(['repository', 'name']).doUpdateSet({ digest, updated_at: now }))
          .execute();
      }
      await insertEvents(trx, outbox);
    });
  }

  async getManifest(repository: string, digest: string): Promise<StoredManifest | null> {
    const row = await this.db.selectFrom('manifests').selectAll().where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
    return row ? { ...fromManifestRow(row), content: row.content } : null;
  }

  async statManifest(repository: string, digest: string): Promise<ManifestRecord | null> {
    const row = await this.db
      .selectFrom('manifests')
      .select(['repository', 'digest', 'media_type', 'size', 'subject', 'artifact_type', 'annotations', 'created_at'])
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .executeTakeFirst();
    return row ? fromManifestRow(row) : null;
  }

  async resolveTag(repository: string, tag: string): Promise<string | null> {
    const row = await this.db.selectFrom('tags').select('digest').where('repository', '=', repository).where('name', '=', tag).executeTakeFirst();
    return row?.digest ?? null;
  }

  async tagsOf(repository: string, digest: string): Promise<string[]> {
    const rows = await this.db.selectFrom('tags').select('name').where('repository', '=', repository).where('digest', '=', digest).orderBy('name').execute();
    return rows.map((r) => r.name);
  }

  async deleteManifest(repository: string, digest: string, events?: readonly DomainEvent[], options: { onlyTags?: readonly string[] | undefined } = {}): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // The manifest row goes first: a concurrent push of the same digest waits on it, so the tags read
      // back below are every tag this delete takes with it.
      const result = await trx.deleteFrom('manifests').where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      const tags = await trx.deleteFrom('tags').where('repository', '=', repository).where('digest', '=', digest).returning('name').execute();
      const unexpected = options.onlyTags ? tags.map((t) => t.name).filter((t) => !options.onlyTags!.includes(t)) : [];
      if (unexpected.length > 0) throw new RegistryError('CONFLICT', `${repository}@${digest} was tagged ${unexpected.join(', ')} meanwhile; not deleted`);
      const refs = await trx.deleteFrom('manifest_references').where('repository', '=', repository).where('manifest_digest', '=', digest).returning(['digest', 'kind']).execute();
      await releaseManifest(trx, repository, digest, refs.filter((r) => r.kind === 'blob').map((r) => r.digest));
      await insertEvents(trx, events);
      return true;
    });
  }

  async deleteTag(repository: string, tag: string, events?: readonly DomainEvent[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('tags').where('repository', '=', repository).where('name', '=', tag).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await insertEvents(trx, events);
      return true;
    });
  }

  async listTags(repository: string, page: PageQuery): Promise<string[]> {
    let q = this.db.selectFrom('tags').select('name').where('repository', '=', repository).orderBy('name').limit(page.limit);
    if (page.last !== undefined) q = q.where('name', '>', page.last);
    return (await q.execute()).map((r) => r.name);
  }

  async tagRecords(repository: string): Promise<Array<{ tag: string; digest: string; updatedAt: Date }>> {
    const rows = await this.db.selectFrom('tags').select(['name', 'digest', 'updated_at']).where('repository', '=', repository).orderBy('updated_at', 'desc').orderBy('name').execute();
    return rows.map((r) => ({ tag: r.name, digest: r.digest, updatedAt: new Date(Number(r.updated_at)) }));
  }

  async findManifestDigests(repository: string, hexPrefix: string, limit: number): Promise<string[]> {
    if (!/^[0-9a-f]*$/.test(hexPrefix)) return [];
    const found: string[] = [];
    for (const algorithm of ['sha256', 'sha512']) {
      // A range scan on the primary key: every digest that starts with the prefix sorts between these bounds.
      const rows = await this.db
        .selectFrom('manifests')
        .select('digest')
        .where('repository', '=', repository)
        .where('digest', '>=', `${algorithm}:${hexPrefix}`)
        .where('digest', '<', `${algorithm}:${hexPrefix}g`)
        .orderBy('digest')
        .limit(limit)
        .execute();
      found.push(...rows.map((r) => r.digest));
    }
    return found.slice(0, limit);
  }

  async listReferrers(repository: string, subject: string, page: PageQuery & { artifactType?: string | undefined }): Promise<ManifestRecord[]> {
    let q = this.db
      .selectFrom('manifests')
      .select(['repository', 'digest', 'media_type', 'size', 'subject', 'artifact_type', 'annotations', 'created_at'])
      .where('repository', '=', repository)
      .where('subject', '=', subject)
      .orderBy('digest')
      .limit(page.limit);
    if (page.artifactType !== undefined) q = q.where('artifact_type', '=', page.artifactType);
    if (page.last !== undefined) q = q.where('digest', '>', page.last);
    return (await q.execute()).map(fromManifestRow);
  }

  async listProjectRepositories(project: string, query: { contains?: string | undefined; offset: number; limit: number }): Promise<OffsetPage<RepositorySummary>> {
    return listing.listProjectRepositories(this.listingDb, project, query);
  }

  async repositorySummary(name: string): Promise<RepositorySummary | null> {
    return listing.repositorySummary(this.listingDb, name);
  }

  async listArtifacts(repository: string, query: { offset: number; limit: number }): Promise<OffsetPage<ArtifactSummary>> {
    return listing.listArtifacts(this.listingDb, repository, query);
  }

  async artifactSummary(repository: string, digest: string): Promise<ArtifactSummary | null> {
    return listing.artifactSummary(this.listingDb, repository, digest);
  }

  async repositoryContents(repository: string): Promise<Array<{ digest: string; tags: string[] }>> {
    return listing.repositoryContents(this.listingDb, repository);
  }

  /** The database with retention's pull-time table, which artifact listings read. */
  private get listingDb(): Kysely<Database & RetentionTables> {
    return this.db as unknown as Kysely<Database & RetentionTables>;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}

async function ensureRepository(trx: Transaction<Database>, name: string, now: number): Promise<void> {
  await trx.insertInto('repositories').values({ name, created_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
}

async function link(trx: Transaction<Database>, repository: string, digest: string, size: number, now: number): Promise<void> {
  await ensureRepository(trx, repository, now);
  await trx
    .insertInto('blob_links')
    .values({ repository, digest, size, created_at: now, touched_at: now })
    .onConflict((oc) => oc.columns(['repository', 'digest']).doUpdateSet({ touched_at: now }))
    .execute();
}

/** Bytes as a Buffer, which both drivers bind as a blob (pg would send a plain Uint8Array as text). */
function bytea(bytes: Uint8Array | null): Buffer | null {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
}

function toUploadRow(u: UploadRecord): UploadsTable {
  return {
    id: u.id,
    repository: u.repository,
    size: u.size,
    algorithm: u.algorithm,
    created_at: u.createdAt.getTime(),
    updated_at: u.updatedAt.getTime(),
    hash_state: bytea(u.hashState ?? null),
    blob_version: u.blobVersion ?? null,
  };
}

function fromUploadRow(r: UploadsTable): UploadRecord {
  return {
    id: r.id,
    repository: r.repository,
    size: Number(r.size),
    algorithm: r.algorithm as DigestAlgorithm,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
    hashState: r.hash_state ? new Uint8Array(r.hash_state) : null,
    blobVersion: r.blob_version,
  };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IN_LIST_CHUNK) out.push(items.slice(i, i + IN_LIST_CHUNK));
  return out;
}
