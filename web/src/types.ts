// The shapes of the API replies the UI reads (only the fields it uses).

/** GET /api/v1/projects[/:project] */
export interface Project {
  name: string;
  public: boolean;
  createdAt: string | null;
}

/** GET /api/v1/projects/:project/members */
export interface Member {
  username: string;
  role: string;
}

/** GET /api/v1/projects/:project/robots */
export interface Robot {
  id: number;
  name: string;
  disabled: boolean;
}

/** GET /api/v1/projects/:project/webhooks (secrets are write-only: only whether one is set). */
export interface Webhook {
  id: number;
  name: string;
  url: string;
  events: string[];
  format: 'default' | 'cloudevents';
  hasSecret: boolean;
  hasAuthHeader: boolean;
  enabled: boolean;
  createdBy: string | null;
  createdAt: string;
}

/** GET /api/v1/webhooks/:id/deliveries (each item). */
export interface WebhookDelivery {
  id: number;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  createdAt: string;
  updatedAt: string;
}

/** POST /api/v1/webhooks/:id/test */
export interface WebhookTestResult {
  success: boolean;
  delivery: WebhookDelivery;
}

/** GET /api/v1/audit and /api/v1/projects/:project/audit (each item, newest first). */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  actorKind: string;
  action: string;
  resource: string;
  project: string | null;
  allowed: boolean;
  status: number;
  sourceAddress: string | null;
}

/** A registered model (GET /api/v1/models and the model page). */
export interface Model {
  id: string;
  name: string;
  project: string;
  state: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A model version as the model page lists it. */
export interface Version {
  id: string;
  name: string;
  state: string;
  description: string | null;
  author: string | null;
  repository: string | null;
  tag: string | null;
  digest: string | null;
  format: string | null;
  aliases: string[];
  properties: Record<string, unknown>;
  createdAt: string;
}

/** An alias of a model. */
export interface Alias {
  alias: string;
  version: string;
  digest: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

/** GET /api/v1/models/:project/:model */
export interface ModelDetail extends Model {
  versions: Version[];
  aliases: Alias[];
}

/** One lineage edge. */
export interface LineageLink {
  id: number;
  relation: string;
  entity: { id: string; kind: string; name: string | null; model?: string | null };
}

/** GET .../versions/:version/lineage */
export interface Lineage {
  upstream: LineageLink[];
  downstream: LineageLink[];
}

/** GET /api/v1/users/current */
export interface CurrentUser {
  kind: string;
  username?: string;
  sysadmin?: boolean;
}

/** GET /api/v1/projects/:project/quota (bytes; `-1` is unlimited). */
export interface Quota {
  project: string;
  hard: { storage: number };
  used: { storage: number };
  isDefault: boolean;
}

/** GET /api/v1/projects/:project/immutable-rules */
export interface ImmutableRule {
  id: number;
  repository: string;
  repositoryDecoration: 'matches' | 'excludes';
  tag: string;
  tagDecoration: 'matches' | 'excludes';
  disabled: boolean;
}

/** One rule of a retention policy. */
export interface RetentionRule {
  disabled: boolean;
  template: string;
  params: Record<string, number>;
  tagSelector: { decoration: 'matches' | 'excludes'; pattern: string; untagged?: boolean };
  repositorySelector: { decoration: 'repoMatches' | 'repoExcludes'; pattern: string };
}

/** GET /api/v1/projects/:project/retention */
export interface RetentionPolicy {
  enabled: boolean;
  schedule: { intervalHours: number } | null;
  rules: RetentionRule[];
  updatedAt: string;
  updatedBy: string | null;
}

/** GET /api/v1/projects/:project/retention/runs (each item). */
export interface RetentionRun {
  id: number;
  status: 'running' | 'succeeded' | 'failed';
  dryRun: boolean;
  trigger: string;
  operator: string | null;
  startedAt: string;
  finishedAt: string | null;
  counts: { candidates: number; retained: number; deleted: number; skipped: number; failed: number };
  error: string | null;
}

/** One decision of a run (GET .../retention/runs/:id). */
export interface RetentionDecision {
  repository: string;
  digest: string;
  tags: string[];
  pushedAt: string;
  action: 'retained' | 'deleted';
  rule: number | null;
  reason: string;
}

/** GET /api/v1/projects/:project/repositories[/:repository] */
export interface RepositoryInfo {
  name: string;
  fullName: string;
  artifactCount: number;
  tagCount: number;
  updatedAt: string;
}

/** GET /api/v1/projects/:project/repositories/:repository/artifacts */
export interface ArtifactInfo {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  pushedAt: string;
  pulledAt: string | null;
  tags: Array<{ name: string; pushedAt: string; immutable: boolean }>;
  subject: string | null;
  modelVersion?: { model: string; version: string; scanStatus: string | null };
}
