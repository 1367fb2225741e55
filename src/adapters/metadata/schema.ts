// Table types of Berth's relational store, shared by the SQLite and PostgreSQL drivers.
import type { Generated } from 'kysely';
import type { LoginFailuresTables } from './login-failures-schema.js';
import type { ModelRegistryTables } from './model-registry-schema.js';
import type { BlobGcTables } from './blob-gc-schema.js';
import type { WebhookTables } from './webhook-schema.js';
import type { UploadStateTables } from './upload-state-schema.js';
import type { PolicyTables } from './policies-schema.js';

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
  /** Last link, HEAD or manifest push that relied on it (migration 0006_blob_gc). */
  touched_at: number;
}

/** An upload session. */
export interface UploadsTable {
  id: string;
  repository: string;
  size: number;
  algorithm: string;
  created_at: number;
  updated_at: number;
  /** Resumable digest state of the acknowledged bytes (migration 0005_upload_hash_state). */
  hash_state: Uint8Array | null;
  /** Version naming the stored layout of the acknowledged bytes (migration 0005_upload_hash_state). */
  blob_version: string | null;
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

/** A local user account. */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  sysadmin: number;
  disabled: number;
  created_at: number;
}

/** A project. */
export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  public: number;
  prevent_dangerous: Generated<number>;
  created_at: number;
}

/** A project membership. */
export interface MembersTable {
  project_id: number;
  user_id: number;
  role: string;
}

/** A robot account. */
export interface RobotsTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  description: string;
  secret_hash: string;
  actions: string;
  expires_at: number | null;
  disabled: number;
  created_at: number;
}

/** A personal access token. */
export interface AccessTokensTable {
  id: string;
  user_id: number;
  name: string;
  secret_hash: string;
  scopes: string;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
  last_used_at: number | null;
}

/** The audit log. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  actor_kind: string;
  action: string;
  resource: string;
  project: string | null;
  allowed: number;
  status: number;
  source_address: string;
}

/** Registry token signing keys. */
export interface SigningKeysTable {
  kid: string;
  secret: Uint8Array;
  created_at: number;
}

/** The whole database. */
export interface Database extends ModelRegistryTables, WebhookTables, LoginFailuresTables, BlobGcTables, UploadStateTables, PolicyTables {
  repositories: RepositoriesTable;
  blob_links: BlobLinksTable;
  uploads: UploadsTable;
  manifests: ManifestsTable;
  manifest_references: ManifestReferencesTable;
  tags: TagsTable;
  users: UsersTable;
  projects: ProjectsTable;
  members: MembersTable;
  robots: RobotsTable;
  access_tokens: AccessTokensTable;
  audit_log: AuditLogTable;
  signing_keys: SigningKeysTable;
}
