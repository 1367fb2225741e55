// Access control on the OCI surface: reads each route's permission, answers anonymous callers with
// the Docker token-auth challenge, checks registry-token scopes or project roles, and gives handlers
// a `may(repository, action)` check for what they touch beyond the path (mount sources, catalog).
// https://distribution.github.io/distribution/spec/auth/token/
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessService } from '../../core/access/access-service.js';
import { projectOf, type Principal } from '../../core/access/permissions.js';
import { formatScope, scopeGrants } from '../../core/access/scopes.js';
import { RegistryError } from '../../core/errors.js';
import { authenticate, type Authentication, type AuthenticationDeps } from '../auth/authenticate.js';
import type { OciRoute } from './routes.js';

/** A repository action checked by the guard. */
export type RepositoryAction = 'pull' | 'push' | 'delete';

/** What a handler knows about the caller's access. */
export interface OciAccess {
  principal: Principal;
  /** True when the caller may do `action` on `repository`. */
  may(repository: string, action: RepositoryAction): Promise<boolean>;
}

/** The guard's configuration and collaborators; `null` turns access control off. */
export type OciGuardDeps = (AuthenticationDeps & { access: AccessService; realm: (req: FastifyRequest) => string }) | null;

/** Everything allowed: access control is off. */
const OPEN: OciAccess = { principal: { kind: 'anonymous' }, may: async () => true };

/** Checks a request against its route's permission; throws UNAUTHORIZED or DENIED with the challenge set. */
export async function guardOciRequest(deps: OciGuardDeps, req: FastifyRequest, reply: FastifyReply, route: OciRoute, params: string[]): Promise<OciAccess> {
  if (!deps) return OPEN;
  const challenge = (scope?: string, error?: string) => {
    const parts = [`realm="${deps.realm(req)}"`, `service="${deps.tokens.service}"`];
    if (scope) parts.push(`scope="${scope}"`);
    if (error) parts.push(`error="${error}"`);
    reply.header('www-authenticate', `Bearer ${parts.join(',')}`);
  };
  const permission = route.permission;
  const scope =
    permission === 'catalog'
      ? 'registry:catalog:*'
      : permission === 'none'
        ? undefined
        : formatScope({ type: 'repository', name: params[0]!, actions: permission === 'push' ? ['pull', 'push'] : [permission] });

  let auth: Authentication;
  try {
    auth = await authenticate(req, deps);
  } catch (err) {
    challenge(scope);
    throw err;
  }
  const access = accessOf(deps, auth);
  const { principal, claims } = auth;
  req.berthPrincipal = principal; // so a refusal is audited under the caller's name
  const refuse = (what: string): never => {
    if (principal.kind === 'anonymous' || claims) {
      challenge(scope, claims ? 'insufficient_scope' : undefined);
      throw new RegistryError('UNAUTHORIZED', `authentication required to ${what}`, scope ? { detail: [{ Type: scope.split(':')[0], Name: params[0] ?? 'catalog', Action: permission }] } : {});
    }
    throw new RegistryError('DENIED', `requested access to ${what} is denied`);
  };

  if (permission === 'none') {
    if (principal.kind === 'anonymous') refuse('the registry');
    return access;
  }
  if (permission === 'catalog') {
    if (principal.kind === 'anonymous' || (claims && !scopeGrants(claims.access, 'registry', 'catalog', '*'))) refuse('the catalog');
    return access;
  }
  const repository = params[0]!;
  if (!(await access.may(repository, permission))) {
    const created = permission === 'push' && !claims && (await deps.access.ensureProjectForPush(principal, projectOf(repository)));
    if (!created) refuse(`${permission} ${repository}`);
  }
  return access;
}

function accessOf(deps: NonNullable<OciGuardDeps>, auth: Authentication): OciAccess {
  const { principal, claims } = auth;
  if (claims) return { principal, may: async (repository, action) => scopeGrants(claims.access, 'repository', repository, action) };
  return { principal, may: (repository, action) => deps.access.can(principal, projectOf(repository), action) };
}
