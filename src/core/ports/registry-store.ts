// The RegistryStore port: the OCI index of repositories, blob links, upload sessions, manifests,
// tags and referrers. Every driver passes test/contracts/registry-store.contract.ts.
import type { DigestAlgorithm } from '../oci/digest.js';
import type { ManifestReference } from '../oci/manifest.js';

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

/** A page request: results strictly after `last`, at most `limit`. */
export interface PageQuery {
  last?: string | undefined;
  limit: number;
}

/** The OCI index of a registry. */
export interface RegistryStore {
  listRepositories(page: PageQuery): Promise<string[]>;
  repositoryExists(name: string): Promise<boolean>;

  /** Size of blob `digest` when linked into `repository`. */
  getLinkedBlob(repository: string, digest: string): Promise<{ size: number } | null>;
  /** Up to `limit` repositories the blob `digest` is linked into, in name order. */
  findBlobLinks(digest: string, limit: number): Promise<Array<{ size: number; repository: string }>>;
  /** Links a committed blob into a repository (creating the repository). */
  linkBlob(repository: string, digest: string, size: number): Promise<void>;
  /** Removes a blob link; false when there was none. */
  unlinkBlob(repository: string, digest: string): Promise<boolean>;

  createUpload(upload: UploadRecord): Promise<void>;
  getUpload(id: string): Promise<UploadRecord | null>;
  /** Records acknowledged bytes; only moves the size of a session that is still at `expectedSize`. */
  setUploadSize(id: string, expectedSize: number, size: number, at: Date): Promise<boolean>;
  deleteUpload(id: string): Promise<void>;
  /** Ends upload `id` and links its committed blob into `repository` (creating it), in one transaction. */
  finishUpload(id: string, repository: string, digest: string, size: number): Promise<void>;
  /** Upload sessions not touched since `before` (for expiry). */
  listStaleUploads(before: Date): Promise<UploadRecord[]>;

  /** Digests among `references` that are not present in `repository` (blobs linked, manifests stored). */
  missingReferences(repository: string, references: ManifestReference[]): Promise<string[]>;
  /** Stores a manifest, its references and optionally points `tag` at it, in one transaction. */
  putManifest(manifest: StoredManifest, references: ManifestReference[], tag?: string): Promise<void>;
  getManifest(repository: string, digest: string): Promise<StoredManifest | null>;
  /** Size and media type of a manifest, without its bytes. */
  statManifest(repository: string, digest: string): Promise<ManifestRecord | null>;
  resolveTag(repository: string, tag: string): Promise<string | null>;
  /** Deletes a manifest and every tag pointing at it; false when absent. */
  deleteManifest(repository: string, digest: string): Promise<boolean>;
  deleteTag(repository: string, tag: string): Promise<boolean>;
  listTags(repository: string, page: PageQuery): Promise<string[]>;
  /** Every tag of a repository with what it points at and when it last moved, newest first. */
  tagRecords(repository: string): Promise<Array<{ tag: string; digest: string; updatedAt: Date }>>;
  /** Digests of manifests in `repository` whose hex part starts with `hexPrefix`, at most `limit`. */
  findManifestDigests(repository: string, hexPrefix: string, limit: number): Promise<string[]>;
  /** Manifests in `repository` whose subject is `subject`, ordered by digest. */
  listReferrers(repository: string, subject: string, page: PageQuery & { artifactType?: string | undefined }): Promise<ManifestRecord[]>;

  /** Checks the store can answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
