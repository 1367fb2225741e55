// Who may do what: Harbor's project roles, robot permissions and system administrators, as pure
// functions. https://github.com/goharbor/harbor/blob/main/src/common/rbac/project/rbac_role.go

/** Project roles, strongest first. */
export const ROLES = ['projectAdmin', 'maintainer', 'developer', 'guest', 'limitedGuest'] as const;

/** A project role. */
export type Role = (typeof ROLES)[number];

/** Everything a principal can be allowed to do inside a project. */
export const ACTIONS = [
  'pull',
  'push',
  'delete',
  'tag.create',
  'tag.delete',
  'member.read',
  'member.manage',
  'robot.read',
  'robot.manage',
  'webhook.read',
  'webhook.manage',
  'audit.read',
  'immutability.read',
  'immutability.manage',
  'retention.read',
  'retention.manage',
  'project.update',
  'project.delete',
] as const;

/** A project-scoped action. */
export type Action = (typeof ACTIONS)[number];

/** Actions a robot account may hold (it never manages people or policies). */
export const ROBOT_ACTIONS = ['pull', 'push', 'delete', 'tag.create', 'tag.delete'] as const satisfies readonly Action[];

const GRANTS: Record<Role, readonly Action[]> = {
  projectAdmin: ACTIONS,
  maintainer: ['pull', 'push', 'delete', 'tag.create', 'tag.delete', 'member.read', 'robot.read', 'webhook.read', 'immutability.read', 'immutability.manage', 'retention.read', 'retention.manage'],
  developer: ['pull', 'push', 'tag.create', 'member.read', 'robot.read', 'immutability.read', 'retention.read', 'retention.manage'],
  guest: ['pull', 'member.read', 'robot.read', 'immutability.read', 'retention.read'],
  limitedGuest: ['pull', 'retention.read'],
};

/** True when `role` grants `action`. */
export function roleAllows(role: Role, action: Action): boolean {
  return GRANTS[role].includes(action);
}

/** Who is making a request. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; id: number; name: string; sysadmin: boolean; tokenScopes?: readonly string[] | undefined }
  | { kind: 'robot'; id: number; name: string; project: string; actions: readonly Action[] };

/** The administrator every REST caller acts as when access control is off; no stored user has its id. */
export const UNGUARDED = { kind: 'user', id: 0, name: 'anonymous', sysadmin: true } satisfies Principal;

/** The anonymous principal. */
export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** The name events and logs give a principal: its user or robot name, or `anonymous`. */
export function operatorName(principal: Principal): string {
  return principal.kind === 'anonymous' ? 'anonymous' : principal.name;
}

/** What is known about a project when deciding access. */
export interface ProjectAccess {
  name: string;
  public: boolean;
  /** The requesting user's role in the project, if a member. */
  role?: Role | undefined;
}

/**
 * Decides whether `principal` may perform `action` in `project` (null: it does not exist). Nobody
 * pushes into a project that does not exist; a system administrator's push creates it first.
 */
export function isAllowed(principal: Principal, project: ProjectAccess | null, action: Action): boolean {
  if (principal.kind === 'user' && !tokenScopeAllows(principal.tokenScopes, project?.name, action)) return false;
  if (!project) return principal.kind === 'user' && principal.sysadmin && action !== 'push' && action !== 'tag.create';
  if (principal.kind === 'user' && principal.sysadmin) return true;
  if (principal.kind === 'robot') return principal.project === project.name && principal.actions.includes(action);
  if (project.role && roleAllows(project.role, action)) return true;
  return action === 'pull' && project.public;
}

/**
 * Personal access tokens carry scopes that narrow what their user may do: `pull`, `push`, `delete`,
 * `admin` (everything), each optionally limited to one project as `<project>:<scope>`.
 */
export function tokenScopeAllows(scopes: readonly string[] | undefined, project: string | undefined, action: Action): boolean {
  if (scopes === undefined) return true;
  const needed = scopeFor(action);
  return scopes.some((scope) => {
    const colon = scope.lastIndexOf(':');
    const [where, what] = colon === -1 ? [undefined, scope] : [scope.slice(0, colon), scope.slice(colon + 1)];
    if (where !== undefined && where !== project) return false;
    return what === 'admin' || what === needed || (needed === 'pull' && (what === 'push' || what === 'delete'));
  });
}

/** True for a system administrator acting with full rights (a token needs the unrestricted `admin` scope). */
export function isSystemAdmin(principal: Principal): boolean {
  return principal.kind === 'user' && principal.sysadmin && (principal.tokenScopes === undefined || principal.tokenScopes.includes('admin'));
}

/** The token scope an action falls under. */
export function scopeFor(action: Action): 'pull' | 'push' | 'delete' | 'admin' {
  if (action === 'pull') return 'pull';
  if (action === 'push' || action === 'tag.create') return 'push';
  if (action === 'delete' || action === 'tag.delete') return 'delete';
  return 'admin';
}

/** The token scopes users may ask for. */
export const TOKEN_SCOPE_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*:)?(?:pull|push|delete|admin)$/;

/** The project a repository belongs to: its first path segment. */
export function projectOf(repository: string): string {
  const slash = repository.indexOf('/');
  return slash === -1 ? repository : repository.slice(0, slash);
}
