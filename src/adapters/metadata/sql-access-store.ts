// AccessStore on the relational database through Kysely (SQLite and PostgreSQL alike).
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Action, Role } from '../../core/access/permissions.js';
import type { AccessStore, AuditRecord, LoginFailures, MemberRecord, NewProject, ProjectRecord, RobotRecord, SigningKey, TokenRecord, UserRecord } from '../../core/ports/access-store.js';
import type { AccessTokensTable, Database, ProjectsTable, RobotsTable, UsersTable } from './schema.js';
import { clearLoginFailures, getLoginFailures, pruneLoginFailures, recordLoginFailure } from './sql-login-failures.js';
import type { DomainEvent } from '../../core/events/domain-events.js';
import { insertEvents } from './sql-outbox.js';

const ms = (d: Date | null) => (d === null ? null : d.getTime());
const date = (n: number | null) => (n === null ? null : new Date(Number(n)));

/** An AccessStore over an open, migrated Kysely database. */
export class SqlAccessStore implements AccessStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createUser(user: Omit<UserRecord, 'id'>): Promise<UserRecord> {
    const row = await this.db
      .insertInto('users')
      .values({ username: user.username, password_hash: user.passwordHash, sysadmin: +user.sysadmin, disabled: +user.disabled, created_at: user.createdAt.getTime() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async getUserByName(username: string): Promise<UserRecord | null> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async getUserById(id: number): Promise<UserRecord | null> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
  }

  async updateUser(id: number, patch: Partial<Pick<UserRecord, 'passwordHash' | 'sysadmin' | 'disabled'>>): Promise<void> {
    const set: Updateable<UsersTable> = {};
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.sysadmin !== undefined) set.sysadmin = +patch.sysadmin;
    if (patch.disabled !== undefined) set.disabled = +patch.disabled;
    if (Object.keys(set).length > 0) await this.db.updateTable('users').set(set).where('id', '=', id).execute();
  }

  async deleteUser(id: number): Promise<boolean> {
    return Number((await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;
  }

  async createProject(project: NewProject, events?: readonly DomainEvent[]): Promise<ProjectRecord> {
    const row = await this.db.transaction().execute(async (trx) => {
      const created = await trx
        .insertInto('projects')
        .values({ name: project.name, public: +project.public, prevent_dangerous: +(project.preventDangerousPulls ?? false), created_at: project.createdAt.getTime() })
        .returningAll()
        .executeTakeFirstOrThrow();
      await insertEvents(trx, events);
      return created;
    });
    return toProject(row);
  }

  async getProject(name: string): Promise<ProjectRecord | null> {
    const row = await this.db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toProject(row) : null;
  }

  async listProjects(): Promise<ProjectRecord[]> {
    return (await this.db.selectFrom('projects').selectAll().orderBy('name').execute()).map(toProject);
  }

  async updateProject(id: number, patch: Partial<Pick<ProjectRecord, 'public' | 'preventDangerousPulls'>>): Promise<void> {
    const set = {
      ...(patch.public !== undefined ? { public: +patch.public } : {}),
      ...(patch.preventDangerousPulls !== undefined ? { prevent_dangerous: +patch.preventDangerousPulls } : {}),
    };
    if (Object.keys(set).length > 0) await this.db.updateTable('projects').set(set).where('id', '=', id).execute();
  }

  async deleteProject(id: number, events?: readonly DomainEvent[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (Number((await trx.deleteFrom('projects').where('id', '=', id).executeTakeFirst()).numDeletedRows) === 0) return false;
      await insertEvents(trx, events);
      return true;
    });
  }

  async setMember(projectId: number, userId: number, role: Role, events?: readonly DomainEvent[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('members')
        .values({ project_id: projectId, user_id: userId, role })
        .onConflict((oc) => oc.columns(['project_id', 'user_id']).doUpdateSet({ role }))
        .execute();
      await insertEvents(trx, events);
    });
  }

  async removeMember(projectId: number, userId: number, events?: readonly DomainEvent[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('members').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await insertEvents(trx, events);
      return true;
    });
  }

  async listMembers(projectId: number): Promise<MemberRecord[]> {
    const rows = await this.db
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select(['members.project_id', 'members.user_id', 'users.username', 'members.role'])
      .where('members.project_id', '=', projectId)
      .orderBy('users.username')
      .execute();
    return rows.map((r) => ({ projectId: Number(r.project_id), userId: Number(r.user_id), username: r.username, role: r.role as Role }));
  }

  async getRole(projectId: number, userId: number): Promise<Role | null> {
    const row = await this.db.selectFrom('members').select('role').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
    return (row?.role as Role | undefined) ?? null;
  }

  async createRobot(robot: Omit<RobotRecord, 'id' | 'project'>): Promise<RobotRecord> {
    const { id } = await this.db
      .insertInto('robots')
      .values({
        project_id: robot.projectId,
        name: robot.name,
        description: robot.description,
        secret_hash: robot.secretHash,
        actions: JSON.stringify(robot.actions),
        expires_at: ms(robot.expiresAt),
        disabled: +robot.disabled,
        created_at: robot.createdAt.getTime(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.getRobot(Number(id)))!;
  }

  async getRobot(id: number): Promise<RobotRecord | null> {
    const row = await this.robots().where('robots.id', '=', id).executeTakeFirst();
    return row ? toRobot(row) : null;
  }

  async getRobotByName(name: string): Promise<RobotRecord | null> {
    const row = await this.robots().where('robots.name', '=', name).executeTakeFirst();
    return row ? toRobot(row) : null;
  }

  async listRobots(projectId: number): Promise<RobotRecord[]> {
    return (await this.robots().where('robots.project_id', '=', projectId).orderBy('robots.name').execute()).map(toRobot);
  }

  async updateRobot(id: number, patch: Partial<Pick<RobotRecord, 'secretHash' | 'disabled' | 'description' | 'actions' | 'expiresAt'>>): Promise<void> {
    const set: Updateable<RobotsTable> = {};
    if (patch.secretHash !== undefined) set.secret_hash = patch.secretHash;
    if (patch.disabled !== undefined) set.disabled = +patch.disabled;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.actions !== undefined) set.actions = JSON.stringify(patch.actions);
    if (patch.expiresAt !== undefined) set.expires_at = ms(patch.expiresAt);
    if (Object.keys(set).length > 0) await this.db.updateTable('robots').set(set).where('id', '=', id).execute();
  }

  async deleteRobot(id: number): Promise<boolean> {
    return Number((await this.db.deleteFrom('robots').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;
  }

  async createToken(token: TokenRecord): Promise<void> {
    await this.db
      .insertInto('access_tokens')
      .values({
        id: token.id,
        user_id: token.userId,
        name: token.name,
        secret_hash: token.secretHash,
        scopes: JSON.stringify(token.scopes),
        expires_at: ms(token.expiresAt),
        revoked_at: ms(token.revokedAt),
        created_at: token.createdAt.getTime(),
        last_used_at: ms(token.lastUsedAt),
      })
      .execute();
  }

  async getToken(id: string): Promise<TokenRecord | null> {
    const row = await this.db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toToken(row) : null;
  }

  async listTokens(userId: number): Promise<TokenRecord[]> {
    return (await this.db.selectFrom('access_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').execute()).map(toToken);
  }

  async revokeToken(id: string, at: Date): Promise<boolean> {
    const result = await this.db.updateTable('access_tokens').set({ revoked_at: at.getTime() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async touchToken(id: string, at: Date): Promise<void> {
    await this.db.updateTable('access_tokens').set({ last_used_at: at.getTime() }).where('id', '=', id).execute();
  }

  async appendAudit(entry: Omit<AuditRecord, 'id'>): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: entry.at.getTime(),
        actor: entry.actor,
        actor_kind: entry.actorKind,
        action: entry.action,
        resource: entry.resource,
        project: entry.project,
        allowed: +entry.allowed,
        status: entry.status,
        source_address: entry.sourceAddress,
      })
      .execute();
  }

  async listAudit(query: { project?: string | undefined; limit: number; beforeId?: number | undefined }): Promise<AuditRecord[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(query.limit);
    if (query.project !== undefined) q = q.where('project', '=', query.project);
    if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
    return (await q.execute()).map((r) => ({
      id: Number(r.id),
      at: new Date(Number(r.at)),
      actor: r.actor,
      actorKind: r.actor_kind as AuditRecord['actorKind'],
      action: r.action,
      resource: r.resource,
      project: r.project,
      allowed: Boolean(r.allowed),
      status: Number(r.status),
      sourceAddress: r.source_address,
    }));
  }

  async signingKey(create: () => SigningKey): Promise<SigningKey> {
    const existing = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    if (existing) return { kid: existing.kid, secret: new Uint8Array(existing.secret), createdAt: new Date(Number(existing.created_at)) };
    const key = create();
    await this.db
      .insertInto('signing_keys')
      .values({ kid: key.kid, secret: key.secret, created_at: key.createdAt.getTime() })
      .onConflict((oc) => oc.doNothing())
      .execute();
    // Another replica may have won the race: everyone uses the oldest key.
    const first = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').limit(1).executeTakeFirstOrThrow();
    return { kid: first.kid, secret: new Uint8Array(first.secret), createdAt: new Date(Number(first.created_at)) };
  }

  getLoginFailures(key: string): Promise<LoginFailures | null> {
    return getLoginFailures(this.db, key);
  }

  recordLoginFailure(key: string, at: Date, since: Date): Promise<LoginFailures> {
    return recordLoginFailure(this.db, key, at, since);
  }

  clearLoginFailures(key: string): Promise<void> {
    return clearLoginFailures(this.db, key);
  }

  pruneLoginFailures(before: Date): Promise<number> {
    return pruneLoginFailures(this.db, before);
  }

  private robots() {
    return this.db.selectFrom('robots').innerJoin('projects', 'projects.id', 'robots.project_id').selectAll('robots').select('projects.name as project');
  }
}

function toUser(r: Selectable<UsersTable>): UserRecord {
  return { id: Number(r.id), username: r.username, passwordHash: r.password_hash, sysadmin: Boolean(r.sysadmin), disabled: Boolean(r.disabled), createdAt: new Date(Number(r.created_at)) };
}

function toProject(r: Selectable<ProjectsTable>): ProjectRecord {
  return { id: Number(r.id), name: r.name, public: Boolean(r.public), preventDangerousPulls: Boolean(r.prevent_dangerous), createdAt: new Date(Number(r.created_at)) };
}

function toRobot(r: Selectable<RobotsTable> & { project: string }): RobotRecord {
  return {
    id: Number(r.id),
    projectId: Number(r.project_id),
    project: r.project,
    name: r.name,
    description: r.description,
    secretHash: r.secret_hash,
    actions: JSON.parse(r.actions) as Action[],
    expiresAt: date(r.expires_at),
    disabled: Boolean(r.disabled),
    createdAt: new Date(Number(r.created_at)),
  };
}

function toToken(r: Selectable<AccessTokensTable>): TokenRecord {
  return {
    id: r.id,
    userId: Number(r.user_id),
    name: r.name,
    secretHash: r.secret_hash,
    scopes: JSON.parse(r.scopes) as string[],
    expiresAt: date(r.expires_at),
    revokedAt: date(r.revoked_at),
    createdAt: new Date(Number(r.created_at)),
    lastUsedAt: date(r.last_used_at),
  };
}
