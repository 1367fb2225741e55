// What Berth's own REST API returns for access records: never a password hash or secret hash.
import type { AuditRecord, MemberRecord, ProjectRecord, RobotRecord, TokenRecord, UserRecord } from '../../core/ports/access-store.js';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A user as the API shows it. */
export const userView = (u: UserRecord) => ({ username: u.username, sysadmin: u.sysadmin, disabled: u.disabled, createdAt: iso(u.createdAt) });

/** A project as the API shows it. */
export const projectView = (p: ProjectRecord) => ({ name: p.name, public: p.public, preventDangerousPulls: p.preventDangerousPulls, createdAt: iso(p.createdAt) });

/** A membership as the API shows it. */
export const memberView = (m: MemberRecord) => ({ username: m.username, role: m.role });

/** A robot account as the API shows it (the secret only ever appears in create/rotate responses). */
export const robotView = (r: RobotRecord) => ({
  id: r.id,
  name: r.name,
  project: r.project,
  description: r.description,
  permissions: r.actions,
  disabled: r.disabled,
  expiresAt: iso(r.expiresAt),
  createdAt: iso(r.createdAt),
});

/** A personal access token as the API shows it. */
export const tokenView = (t: TokenRecord) => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  expiresAt: iso(t.expiresAt),
  revokedAt: iso(t.revokedAt),
  createdAt: iso(t.createdAt),
  lastUsedAt: iso(t.lastUsedAt),
});

/** An audit entry as the API shows it. */
export const auditView = (a: AuditRecord) => ({
  id: a.id,
  at: iso(a.at),
  actor: a.actor,
  actorKind: a.actorKind,
  action: a.action,
  resource: a.resource,
  project: a.project,
  allowed: a.allowed,
  status: a.status,
  sourceAddress: a.sourceAddress,
});
