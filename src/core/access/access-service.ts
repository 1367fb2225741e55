// Access management: projects, members, users, robot accounts, personal access tokens and the audit
// log, each operation checked against the caller's permissions (Harbor's model, see permissions.ts).
import { randomBytes } from 'node:crypto';
import { RegistryError } from '../errors.js';
import { domainEvent } from '../events/domain-events.js';
import type { AccessStore, AuditRecord, MemberRecord, ProjectRecord, RobotRecord, TokenRecord, UserRecord } from '../ports/access-store.js';
import type { Clock } from '../ports/clock.js';
import { newPersonalToken, robotSecret } from './credentials.js';
import { isAllowed, operatorName, UNGUARDED, ROBOT_ACTIONS, ROLES, TOKEN_SCOPE_PATTERN, type Action, type Principal, type ProjectAccess, type Role } from './permissions.js';
import { hashPassword, hashSecret, newSecret, verifyPassword } from './secrets.js';

const PROJECT_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** First path segments Berth's own endpoints use; a project of that name would be shadowed by them. */
const RESERVED_PROJECTS = new Set(['v2', 'api', 'auth', 'healthz', 'readyz', 'metrics', 'ui', 'static']);
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ROBOT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const DAY_MS = 86_400_000;

/** Input of createRobot. */
export interface RobotInput {
  name: string;
  description?: string | undefined;
  actions: Action[];
  /** Lifetime in days; -1 never expires (default 30). */
  expiresInDays?: number | undefined;
}

/** Input of createToken. */
export interface TokenInput {
  name: string;
  scopes: string[];
  /** Lifetime in days (default 30, at most 365). */
  expiresInDays?: number | undefined;
}

/** Access management with permission checks. */
export class AccessService {
  constructor(
    private readonly store: AccessStore,
    private readonly clock: Clock,
    /** Whether repositories exist under a project (a project with content cannot be deleted). */
    private readonly projectHasContent: (project: string) => Promise<boolean>,
    /** Told after a project's settings change here, so caches of them in this process can drop it. */
    private readonly projectChanged: (project: string) => void = () => undefined,
  ) {}

  /** Creates the `admin` user on first start; returns the generated password when none was given. */
  async bootstrap(adminPassword: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
    if ((await this.store.listUsers()).length > 0) return { created: false };
    const password = adminPassword || randomBytes(12).toString('base64url');
    await this.store.createUser({ username: 'admin', passwordHash: await hashPassword(password), sysadmin: true, disabled: false, createdAt: this.clock.now() });
    return adminPassword ? { created: true } : { created: true, generatedPassword: password };
  }

  /** What `principal` is to project `name` (null when the project does not exist). */
  async projectAccess(principal: Principal, name: string): Promise<ProjectAccess | null> {
    const project = await this.store.getProject(name);
    if (!project) return null;
    const role = principal.kind === 'user' ? ((await this.store.getRole(project.id, principal.id)) ?? undefined) : undefined;
    return { name: project.name, public: project.public, role };
  }

  /** True when `principal` may do `action` in project `name`. */
  async can(principal: Principal, name: string, action: Action): Promise<boolean> {
    return isAllowed(principal, await this.projectAccess(principal, name), action);
  }

  /** Throws UNAUTHORIZED (anonymous) or DENIED unless `principal` may do `action` in project `name`. */
  async require(principal: Principal, name: string, action: Action): Promise<void> {
    if (!(await this.can(principal, name, action))) throw denial(principal, `${action} on project "${name}"`);
  }

  /** Creates the project of a repository on first push by a system administrator. */
  async ensureProjectForPush(principal: Principal, name: string): Promise<boolean> {
    if (principal.kind !== 'user' || !principal.sysadmin || !PROJECT_NAME.test(name) || RESERVED_PROJECTS.has(name)) return false;
    if (await this.store.getProject(name)) return false;
    const at = this.clock.now();
    await this.store.createProject({ name, public: false, createdAt: at }, [domainEvent('project.created', name, operatorName(principal), at, { name, public: false })]).catch(() => undefined);
    return true;
  }

  async createProject(actor: Principal, input: { name: string; public: boolean; preventDangerousPulls?: boolean | undefined }): Promise<ProjectRecord> {
    if (actor.kind !== 'user') throw denial(actor, 'create projects');
    if (!PROJECT_NAME.test(input.name) || input.name.length > 64) throw invalid('project names are lowercase letters, digits and . _ - separators, at most 64 characters');
    if (RESERVED_PROJECTS.has(input.name)) throw invalid(`"${input.name}" is reserved for Berth's own endpoints`);
    if (await this.store.getProject(input.name)) throw new RegistryError('CONFLICT', `project "${input.name}" already exists`);
    const at = this.clock.now();
    const project = await this.store.createProject({ name: input.name, public: input.public, preventDangerousPulls: input.preventDangerousPulls ?? false, createdAt: at }, [domainEvent('project.created', input.name, actor.name, at, { name: input.name, public: input.public })]);
    // Without access control the caller is no stored user, so there is no one to make its admin.
    if (actor.id !== UNGUARDED.id) await this.store.setMember(project.id, actor.id, 'projectAdmin');
    return project;
  }

  async listProjects(actor: Principal): Promise<ProjectRecord[]> {
    const all = await this.store.listProjects();
    if (actor.kind === 'user' && actor.sysadmin) return all;
    const visible: ProjectRecord[] = [];
    for (const p of all) if (await this.can(actor, p.name, 'pull')) visible.push(p);
    return visible;
  }

  async getProject(actor: Principal, name: string): Promise<ProjectRecord> {
    const project = await this.store.getProject(name);
    if (!project || !(await this.can(actor, name, 'pull'))) throw notFound(`project "${name}"`);
    return project;
  }

  async updateProject(actor: Principal, name: string, patch: { public?: boolean | undefined; preventDangerousPulls?: boolean | undefined }): Promise<ProjectRecord> {
    const project = await this.getProject(actor, name);
    await this.require(actor, name, 'project.update');
    const changes = {
      ...(patch.public !== undefined ? { public: patch.public } : {}),
      ...(patch.preventDangerousPulls !== undefined ? { preventDangerousPulls: patch.preventDangerousPulls } : {}),
    };
    await this.store.updateProject(project.id, changes);
    this.projectChanged(name);
    return { ...project, ...changes };
  }

  async deleteProject(actor: Principal, name: string): Promise<void> {
    const project = await this.getProject(actor, name);
    await this.require(actor, name, 'project.delete');
    if (await this.projectHasContent(name)) throw new RegistryError('CONFLICT', `project "${name}" still has repositories; delete them first`);
    await this.store.deleteProject(project.id, [domainEvent('project.deleted', name, operatorName(actor), this.clock.now(), { name })]);
  }

  async listMembers(actor: Principal, name: string): Promise<MemberRecord[]> {
    const project = await this.getProject(actor, name);
    await this.require(actor, name, 'member.read');
    return this.store.listMembers(project.id);
  }

  async setMember(actor: Principal, name: string, username: string, role: Role): Promise<MemberRecord> {
    const project = await this.getProject(actor, name);
    await this.require(actor, name, 'member.manage');
    if (!ROLES.includes(role)) throw invalid(`role must be one of ${ROLES.join(', ')}`);
    const user = await this.store.getUserByName(username);
    if (!user) throw notFound(`user "${username}"`);
    const previous = await this.store.getRole(project.id, user.id);
    const type = previous === null ? 'member.added' : 'member.updated';
    const events = previous === role ? [] : [domainEvent(type, name, operatorName(actor), this.clock.now(), { project: name, username, role, ...(previous ? { previousRole: previous } : {}) })];
    await this.store.setMember(project.id, user.id, role, events);
    return { projectId: project.id, userId: user.id, username: user.username, role };
  }

  async removeMember(actor: Principal, name: string, username: string): Promise<void> {
    const project = await this.getProject(actor, name);
    await this.require(actor, name, 'member.manage');
    const user = await this.store.getUserByName(username);
    const event = domainEvent('member.removed', name, operatorName(actor), this.clock.now(), { project: name, username });
    if (!user || !(await this.store.removeMember(project.id, user.id, [event]))) throw notFound(`member "${username}"`);
  }

  async createUser(actor: Principal, input: { username: string; password: string; sysadmin?: boolean | undefined }): Promise<UserRecord> {
    requireSysadmin(actor, 'create users');
    if (!USERNAME.test(input.username)) throw invalid('usernames are 1-64 lowercase letters, digits, . _ -');
    checkPassword(input.password);
    if (await this.store.getUserByName(input.username)) throw new RegistryError('CONFLICT', `user "${input.username}" already exists`);
    return this.store.createUser({ username: input.username, passwordHash: await hashPassword(input.password), sysadmin: input.sysadmin ?? false, disabled: false, createdAt: this.clock.now() });
  }

  async listUsers(actor: Principal): Promise<UserRecord[]> {
    requireSysadmin(actor, 'list users');
    return this.store.listUsers();
  }

  async getUser(actor: Principal, username: string): Promise<UserRecord> {
    const user = await this.store.getUserByName(username);
    const self = actor.kind === 'user' && actor.name === username;
    if (!user || !(self || (actor.kind === 'user' && actor.sysadmin))) throw notFound(`user "${username}"`);
    return user;
  }

  async updateUser(actor: Principal, username: string, patch: { password?: string | undefined; oldPassword?: string | undefined; sysadmin?: boolean | undefined; disabled?: boolean | undefined }): Promise<UserRecord> {
    const user = await this.getUser(actor, username);
    const admin = actor.kind === 'user' && actor.sysadmin;
    if ((patch.sysadmin !== undefined || patch.disabled !== undefined) && !admin) throw denial(actor, 'change account flags');
    const change: Partial<Pick<UserRecord, 'passwordHash' | 'sysadmin' | 'disabled'>> = {};
    if (patch.password !== undefined) {
      checkPassword(patch.password);
      if (!admin && !(await verifyPassword(patch.oldPassword ?? '', user.passwordHash))) throw denial(actor, 'change the password without the current one');
      change.passwordHash = await hashPassword(patch.password);
    }
    if (patch.sysadmin !== undefined) change.sysadmin = patch.sysadmin;
    if (patch.disabled !== undefined) change.disabled = patch.disabled;
    await this.store.updateUser(user.id, change);
    return { ...user, ...change };
  }

  async deleteUser(actor: Principal, username: string): Promise<void> {
    requireSysadmin(actor, 'delete users');
    const user = await this.store.getUserByName(username);
    if (!user) throw notFound(`user "${username}"`);
    if (actor.kind === 'user' && actor.id === user.id) throw invalid('you cannot delete your own account');
    await this.store.deleteUser(user.id);
  }

  async createRobot(actor: Principal, project: string, input: RobotInput): Promise<{ robot: RobotRecord; secret: string }> {
    const p = await this.getProject(actor, project);
    await this.require(actor, project, 'robot.manage');
    if (!ROBOT_NAME.test(input.name) || input.name.length > 64) throw invalid('robot names are lowercase letters, digits and . _ - separators');
    const actions = [...new Set(input.actions)];
    const bad = actions.filter((a) => !(ROBOT_ACTIONS as readonly string[]).includes(a));
    if (actions.length === 0 || bad.length > 0) throw invalid(`robot permissions must be among ${ROBOT_ACTIONS.join(', ')}`);
    const name = `robot$${project}+${input.name}`;
    if (await this.store.getRobotByName(name)) throw new RegistryError('CONFLICT', `robot "${name}" already exists`);
    const placeholder = hashSecret(newSecret());
    const robot = await this.store.createRobot({
      projectId: p.id,
      name,
      description: input.description ?? '',
      secretHash: placeholder,
      actions,
      expiresAt: this.expiry(input.expiresInDays ?? 30, true),
      disabled: false,
      createdAt: this.clock.now(),
    });
    const { token, secret } = robotSecret(robot.id);
    await this.store.updateRobot(robot.id, { secretHash: hashSecret(secret) });
    return { robot: { ...robot, secretHash: hashSecret(secret) }, secret: token };
  }

  async listRobots(actor: Principal, project: string): Promise<RobotRecord[]> {
    const p = await this.getProject(actor, project);
    await this.require(actor, project, 'robot.read');
    return this.store.listRobots(p.id);
  }

  async rotateRobot(actor: Principal, project: string, id: number): Promise<{ robot: RobotRecord; secret: string }> {
    const robot = await this.robotIn(actor, project, id);
    const { token, secret } = robotSecret(robot.id);
    await this.store.updateRobot(robot.id, { secretHash: hashSecret(secret) });
    return { robot, secret: token };
  }

  async updateRobot(actor: Principal, project: string, id: number, patch: { disabled?: boolean | undefined; description?: string | undefined }): Promise<RobotRecord> {
    const robot = await this.robotIn(actor, project, id);
    await this.store.updateRobot(robot.id, patch);
    return (await this.store.getRobot(robot.id))!;
  }

  async deleteRobot(actor: Principal, project: string, id: number): Promise<void> {
    const robot = await this.robotIn(actor, project, id);
    await this.store.deleteRobot(robot.id);
  }

  async createToken(actor: Principal, input: TokenInput): Promise<{ record: TokenRecord; token: string }> {
    if (actor.kind !== 'user') throw denial(actor, 'create personal access tokens');
    if (actor.tokenScopes !== undefined) throw denial(actor, 'create tokens with a token; log in with a password');
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0 || !scopes.every((s) => TOKEN_SCOPE_PATTERN.test(s))) throw invalid('scopes are pull, push, delete or admin, optionally as <project>:<scope>');
    if (!input.name || input.name.length > 100) throw invalid('a token needs a name of at most 100 characters');
    const days = input.expiresInDays ?? 30;
    if (!(days > 0 && days <= 365)) throw invalid('tokens expire within 1 to 365 days');
    const { id, token, secret } = newPersonalToken();
    const record: TokenRecord = { id, userId: actor.id, name: input.name, secretHash: hashSecret(secret), scopes, expiresAt: this.expiry(days, false), revokedAt: null, createdAt: this.clock.now(), lastUsedAt: null };
    await this.store.createToken(record);
    return { record, token };
  }

  async listTokens(actor: Principal): Promise<TokenRecord[]> {
    if (actor.kind !== 'user') throw denial(actor, 'list personal access tokens');
    return this.store.listTokens(actor.id);
  }

  async revokeToken(actor: Principal, id: string): Promise<void> {
    const record = await this.store.getToken(id);
    const mine = actor.kind === 'user' && record?.userId === actor.id;
    if (!record || !(mine || (actor.kind === 'user' && actor.sysadmin))) throw notFound(`token "${id}"`);
    await this.store.revokeToken(id, this.clock.now());
  }

  /** Appends one audit entry. */
  async audit(entry: Omit<AuditRecord, 'id' | 'at'>): Promise<void> {
    await this.store.appendAudit({ ...entry, at: this.clock.now() });
  }

  /** Audit entries of a project (project admins) or of everything (system administrators), newest first. */
  async listAudit(actor: Principal, query: { project?: string | undefined; limit: number; beforeId?: number | undefined }): Promise<AuditRecord[]> {
    if (query.project === undefined) requireSysadmin(actor, 'read the system audit log');
    else {
      await this.getProject(actor, query.project);
      await this.require(actor, query.project, 'audit.read');
    }
    return this.store.listAudit(query);
  }

  private async robotIn(actor: Principal, project: string, id: number): Promise<RobotRecord> {
    await this.getProject(actor, project);
    await this.require(actor, project, 'robot.manage');
    const robot = await this.store.getRobot(id);
    if (!robot || robot.project !== project) throw notFound(`robot ${id}`);
    return robot;
  }

  private expiry(days: number, allowNever: boolean): Date | null {
    if (allowNever && days === -1) return null;
    if (!(days > 0 && days <= 3650)) throw invalid('expiry must be a positive number of days (or -1 for never)');
    return new Date(this.clock.now().getTime() + days * DAY_MS);
  }
}

function requireSysadmin(actor: Principal, what: string): void {
  if (!(actor.kind === 'user' && actor.sysadmin)) throw denial(actor, what);
}

function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 256) throw invalid('passwords have 8 to 256 characters');
}

/** The error for a refused action: UNAUTHORIZED for anonymous callers, DENIED for everyone else. */
export function denial(principal: Principal, what: string): RegistryError {
  return principal.kind === 'anonymous'
    ? new RegistryError('UNAUTHORIZED', `authentication required to ${what}`)
    : new RegistryError('DENIED', `not allowed to ${what}`);
}

function notFound(what: string): RegistryError {
  return new RegistryError('NOT_FOUND', `${what} not found`);
}

function invalid(message: string): RegistryError {
  return new RegistryError('INVALID', message);
}
