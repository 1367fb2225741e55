// The AccessStore port: users, projects, members, robot accounts, personal access tokens, the audit
// log, token signing keys and failed-login counts. Every driver passes test/contracts/access-store.contract.ts.
import type { Action, Role } from '../access/permissions.js';
import type { DomainEvent } from '../events/domain-events.js';

/** A local user account. */
export interface UserRecord {
  id: number;
  username: string;
  /** scrypt hash in PHC-like form; never leaves the server. */
  passwordHash: string;
  sysadmin: boolean;
  disabled: boolean;
  createdAt: Date;
}

/** A project: the first segment of repository names. */
export interface ProjectRecord {
  id: number;
  name: string;
  public: boolean;
  /** Refuse pulls of model versions whose scan found dangerous imports (Harbor's `prevent_vul`). */
  preventDangerousPulls: boolean;
  createdAt: Date;
}

/** What creating a project takes; the scan policy defaults to off. */
export type NewProject = Omit<ProjectRecord, 'id' | 'preventDangerousPulls'> & { preventDangerousPulls?: boolean };

/** A user's role in a project. */
export interface MemberRecord {
  projectId: number;
  userId: number;
  username: string;
  role: Role;
}

/** A project-scoped robot account. */
export interface RobotRecord {
  id: number;
  projectId: number;
  project: string;
  /** Full name, `robot$<project>+<name>`. */
  name: string;
  description: string;
  secretHash: string;
  actions: Action[];
  expiresAt: Date | null;
  disabled: boolean;
  createdAt: Date;
}

/** A personal access token (its secret is kept only as a hash). */
export interface TokenRecord {
  id: string;
  userId: number;
  name: string;
  secretHash: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** One audit entry: a write, or a denied request. */
export interface AuditRecord {
  id: number;
  at: Date;
  actor: string;
  actorKind: 'anonymous' | 'user' | 'robot';
  action: string;
  resource: string;
  project: string | null;
  allowed: boolean;
  status: number;
  sourceAddress: string;
}

/** A symmetric key signing registry tokens, shared by all replicas. */
export interface SigningKey {
  kid: string;
  secret: Uint8Array;
  createdAt: Date;
}

/** Recent failed logins under one throttle key, shared by all replicas. */
export interface LoginFailures {
  count: number;
  lastAt: Date;
}

/** Persistent state of access control. */
export interface AccessStore {
  createUser(user: Omit<UserRecord, 'id'>): Promise<UserRecord>;
  getUserByName(username: string): Promise<UserRecord | null>;
  getUserById(id: number): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  updateUser(id: number, patch: Partial<Pick<UserRecord, 'passwordHash' | 'sysadmin' | 'disabled'>>): Promise<void>;
  deleteUser(id: number): Promise<boolean>;

  /** Creates a project, recording `events` with it. */
  createProject(project: NewProject, events?: readonly DomainEvent[]): Promise<ProjectRecord>;
  getProject(name: string): Promise<ProjectRecord | null>;
  listProjects(): Promise<ProjectRecord[]>;
  updateProject(id: number, patch: Partial<Pick<ProjectRecord, 'public' | 'preventDangerousPulls'>>): Promise<void>;
  deleteProject(id: number, events?: readonly DomainEvent[]): Promise<boolean>;

  setMember(projectId: number, userId: number, role: Role, events?: readonly DomainEvent[]): Promise<void>;
  removeMember(projectId: number, userId: number, events?: readonly DomainEvent[]): Promise<boolean>;
  listMembers(projectId: number): Promise<MemberRecord[]>;
  getRole(projectId: number, userId: number): Promise<Role | null>;

  createRobot(robot: Omit<RobotRecord, 'id' | 'project'>): Promise<RobotRecord>;
  getRobot(id: number): Promise<RobotRecord | null>;
  getRobotByName(name: string): Promise<RobotRecord | null>;
  listRobots(projectId: number): Promise<RobotRecord[]>;
  updateRobot(id: number, patch: Partial<Pick<RobotRecord, 'secretHash' | 'disabled' | 'description' | 'actions' | 'expiresAt'>>): Promise<void>;
  deleteRobot(id: number): Promise<boolean>;

  createToken(token: TokenRecord): Promise<void>;
  getToken(id: string): Promise<TokenRecord | null>;
  listTokens(userId: number): Promise<TokenRecord[]>;
  revokeToken(id: string, at: Date): Promise<boolean>;
  touchToken(id: string, at: Date): Promise<void>;

  appendAudit(entry: Omit<AuditRecord, 'id'>): Promise<void>;
  listAudit(query: { project?: string | undefined; limit: number; beforeId?: number | undefined }): Promise<AuditRecord[]>;

  /** The current signing key, created on first use (one for the whole deployment). */
  signingKey(create: () => SigningKey): Promise<SigningKey>;

  /** Failed logins recorded under `key`, or null when none are. */
  getLoginFailures(key: string): Promise<LoginFailures | null>;
  /** Atomically counts a failure at `at`, starting again from 1 when the last one was before `since`. */
  recordLoginFailure(key: string, at: Date, since: Date): Promise<LoginFailures>;
  /** Forgets the failures under `key` (after a successful login). */
  clearLoginFailures(key: string): Promise<void>;
  /** Forgets every record whose last failure was before `before`; resolves with how many. */
  pruneLoginFailures(before: Date): Promise<number>;
}
