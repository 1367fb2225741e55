// The RegistryStore port: the OCI index of repositories, blob links, upload sessions, manifests,
// tags and referrers. Every driver passes test/contracts/registry-store.contract.ts.
import type { DigestAlgorithm } from '../oci/digest.js';
import type { DomainEvent } from '../events/domain-events.js';
import type { ManifestReference } from '../oci/manifest.js';
import type { QuotaCharge } from './policy-store.js';

/** An upload session, kept server-side so any Location stays meaningful across restarts. */
export interface UploadRecord {
  id: string;
  repository: string;
  /** Bytes received and acknowledged so far. */
  size: number;
  /** Algorithm declared on POST (`digest-algorithm`), sha256 by default. */
  algorithm: DigestAlgorithm;
  createdAt: Date;
  updatedAt: Date;
  /** Saved state of the running digest over the acknowledged bytes; null when unknown (re-hash at commit). */
  hashState?: Uint8Array | null | undefined;
  /** Version naming the stored layout of the acknowledged bytes (BlobStore AppendOptions); null at first. */
  blobVersion?: string | null | undefined;
}

/** What an acknowledged chunk moves together with an upload's size. */
export interface UploadProgress {
  hashState: Uint8Array | null;
  blobVersion: string | null;
}

/** A stored manifest's index entry. */
export interface ManifestRecord {
  repository: string;
  digest: string;
  mediaType: string;
  size: number;
  subject?: string | undefined;
  artifactType?: string | undefined;
  annotations?: Record<string, string> | undefined;
  createdAt: Date;
}

/** A manifest with its exact bytes. */
export interface StoredManifest extends ManifestRecord {
  content: Uint8Array;
}

/** What a manifest push asks of the store beyond storing it. */
export interface PutManifestOptions {
  /** The project's quota: its default limit and the events a charged push records. */
  quota?: QuotaCharge | undefined;
  /**
   * Set when the pushed tag is immutable: the store then only creates the tag or leaves it where it
   * is, and throws DENIED with this message (storing nothing) if it points at another manifest.
   */
  immutableTag?: string | undefined;
}

/** A page request: results strictly after `last`, at most `limit`. */
export interface PageQuery {
  last?: string | undefined;
  limit: number;
}

/** A repository with what listings show of it. */
export interface RepositorySummary {
  name: string;
  artifactCount: number;
  tagCount: number;
  /** The latest manifest push or tag move. */
  updatedAt: Date;
}

/** A tag as artifact listings show it. */
export interface TagRecord {
  name: string;
  /** When the tag was last pushed or moved. */
  updatedAt: Date;
}

/** A manifest with what artifact listings show of it. */
export interface ArtifactSummary extends ManifestRecord {
  /** The manifest's bytes plus its distinct blobs' sizes (an index: its own bytes only). */
  totalSize: number;
  /** The last recorded client pull, null when none. */
  pulledAt: Date | null;
  /** Its tags, newest first. */
  tags: TagRecord[];
}

/** An offset page: `offset` items skipped, at most `limit` returned, and how many there are in all. */
export interface OffsetPage<T> {
  total: number;
  items: T[];
}

/** The OCI index of a registry. */
export interface RegistryStore {
  listRepositories(page: PageQuery): Promise<string[]>;
  repositoryExists(name: string): Promise<boolean>;

  /** Size of blob `digest` when linked into `repository`. */
  getLinkedBlob(repository: string, digest: string): Promise<{ size: number } | null>;
  /** Up to `limit` repositories the blob `digest` is linked into, in name order. */
  findBlobLinks(digest: string, limit: number): Promise<Array<{ size: number; repository: string }>>;
  /** Size of a blob linked into `repository`, refreshing the link's last use (a HEAD keeps it from GC); null when not linked. */
  touchBlobLink(repository: string, digest: string, at: Date): Promise<{ size: number } | null>;
  /**
   * Links a committed blob into a repository (creating the repository) and refreshes its last use;
   * false, linking nothing, while garbage collection is deleting the blob.
   */
  linkBlob(repository: string, digest: string, size: number): Promise<boolean>;
  /**
   * Claims blob `digest` before its bytes are committed: records it in the blob index and refreshes its
   * last use, so GC leaves it alone for a grace window; false while GC is deleting it (retry after),
   * unless that sweep was marked before `staleBefore` (its GC died) and is taken over.
   */
  claimBlob(digest: string, size: number, at: Date, staleBefore: Date): Promise<boolean>;
  /** True when the blob index has a record of `digest` (live or being swept); a read, no claim. */
  hasBlobRecord(digest: string): Promise<boolean>;
  /** Removes a blob link; false when there was none. */
  unlinkBlob(repository: string, digest: string): Promise<boolean>;

  createUpload(upload: UploadRecord): Promise<void>;
  getUpload(id: string): Promise<UploadRecord | null>;
  /**
   * Records acknowledged bytes (and, when given, the digest state and layout version that go with
   * them); only moves a session that is still at `expectedSize`.
   */
  setUploadSize(id: string, expectedSize: number, size: number, at: Date, progress?: UploadProgress): Promise<boolean>;
  deleteUpload(id: string): Promise<void>;
  /**
   * Ends upload `id` and links its committed blob into `repository` (creating it), in one transaction,
   * refreshing the blob's record (creating it when there is none); throws UNAVAILABLE, changing
   * nothing, while GC is sweeping the blob.
   */
  finishUpload(id: string, repository: string, digest: string, size: number): Promise<void>;
  /** Upload sessions not touched since `before` (for expiry). */
  listStaleUploads(before: Date): Promise<UploadRecord[]>;

  /** Digests among `references` that are not present in `repository` (blobs linked, manifests stored). */
  missingReferences(repository: string, references: ManifestReference[]): Promise<string[]>;
  /**
   * Stores a manifest, its references and optionally points `tag` at it, with `events` in the outbox, in
   * one transaction that also refreshes the referenced blob links; throws MANIFEST_BLOB_UNKNOWN, storing
   * nothing, if one of them is gone (garbage collection raced the push). A new manifest row is booked
   * against its project's storage usage in the same transaction; when that would exceed the project's
   * hard limit (its own, else `options.quota.defaultHard`) it throws DENIED and stores nothing.
   */
  putManifest(manifest: StoredManifest, references: ManifestReference[], tag?: string, events?: readonly DomainEvent[], options?: PutManifestOptions): Promise<void>;
  getManifest(repository: string, digest: string): Promise<StoredManifest | null>;
  /** Size and media type of a manifest, without its bytes. */
  statManifest(repository: string, digest: string): Promise<ManifestRecord | null>;
  resolveTag(repository: string, tag: string): Promise<string | null>;
  /** The tags of `repository` that point at manifest `digest`, in name order. */
  tagsOf(repository: string, digest: string): Promise<string[]>;
  /**
   * Deletes a manifest and every tag pointing at it, recording `events` with it and releasing its project
   * usage; false when absent. With `onlyTags`, a tag outside that list pointing at it (one added since the
   * caller looked) makes it throw CONFLICT, changing nothing.
   */
  deleteManifest(repository: string, digest: string, events?: readonly DomainEvent[], options?: { onlyTags?: readonly string[] | undefined }): Promise<boolean>;
  /** Deletes a tag, recording `events` with it; false when absent. */
  deleteTag(repository: string, tag: string, events?: readonly DomainEvent[]): Promise<boolean>;
  listTags(repository: string, page: PageQuery): Promise<string[]>;
  /** Every tag of a repository with what it points at and when it last moved, newest first. */
  tagRecords(repository: string): Promise<Array<{ tag: string; digest: string; updatedAt: Date }>>;
  /** Digests of manifests in `repository` whose hex part starts with `hexPrefix`, at most `limit`. */
  findManifestDigests(repository: string, hexPrefix: string, limit: number): Promise<string[]>;
  /** Manifests in `repository` whose subject is `subject`, ordered by digest. */
  listReferrers(repository: string, subject: string, page: PageQuery & { artifactType?: string | undefined }): Promise<ManifestRecord[]>;

  /**
   * Repositories named `<project>/...` holding at least one manifest, in name order, optionally only
   * those whose name after `<project>/` contains `contains` (literally); `offset`/`limit` paged.
   */
  listProjectRepositories(project: string, query: { contains?: string | undefined; offset: number; limit: number }): Promise<OffsetPage<RepositorySummary>>;
  /** One repository's summary; null when it holds no manifest. */
  repositorySummary(name: string): Promise<RepositorySummary | null>;
  /** Manifests of `repository`, newest pushed first (then by digest), with tags, total sizes and pull times. */
  listArtifacts(repository: string, query: { offset: number; limit: number }): Promise<OffsetPage<ArtifactSummary>>;
  /** One manifest as listArtifacts shows it; null when absent. */
  artifactSummary(repository: string, digest: string): Promise<ArtifactSummary | null>;
  /** Every manifest digest of `repository` with the tags pointing at it. */
  repositoryContents(repository: string): Promise<Array<{ digest: string; tags: string[] }>>;

  /** Checks the store can answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
