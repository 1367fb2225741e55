// Table types of Berth's relational store, shared by the SQLite and PostgreSQL drivers.
/** Repositories exist once something is linked or pushed into them. */
export interface RepositoriesTable {
  name: string;
  created_at: number;
}

/** A committed blob linked into a repository. */
export interface BlobLinksTable {
  repository: string;
  digest: string;
  size: number;
  created_at: number;
}

/** An upload session. */
export interface UploadsTable {
  id: string;
  repository: string;
  size: number;
  algorithm: string;
  created_at: number;
  updated_at: number;
}

/** A manifest and its exact bytes. */
export interface ManifestsTable {
  repository: string;
  digest: string;
  media_type: string;
  size: number;
  content: Uint8Array;
  subject: string | null;
  artifact_type: string | null;
  annotations: string | null;
  created_at: number;
}

/** What a manifest references (blobs and child manifests), for reference checks and GC. */
export interface ManifestReferencesTable {
  repository: string;
  manifest_digest: string;
  digest: string;
  kind: string;
}

/** A tag pointing at a manifest. */
export interface TagsTable {
  repository: string;
  name: string;
  digest: string;
  updated_at: number;
}

/** The whole database. */
export interface Database {
  repositories: RepositoriesTable;
  blob_links: BlobLinksTable;
  uploads: UploadsTable;
  manifests: ManifestsTable;
  manifest_references: ManifestReferencesTable;
  tags: TagsTable;
}
