// Reads the caller's credentials from a request: Basic (password, personal token or robot secret),
// Bearer personal token / robot secret (optionally `hf_`-prefixed), or Bearer registry JWT.
// Credentials that are present but wrong are an error; absent credentials mean anonymous.
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../../core/access/authenticator.js';
import { ANONYMOUS, UNGUARDED, type Principal } from '../../core/access/permissions.js';
import type { RegistryTokenService } from '../../core/access/registry-tokens.js';
import { RegistryError } from '../../core/errors.js';
import type { RegistryClaims } from '../../core/ports/token-signer.js';

/** Who the caller is and how they proved it. */
export interface Authentication {
  principal: Principal;
  /** Present when the caller used a registry token: what that token grants. */
  claims?: RegistryClaims | undefined;
}

/** What request authentication needs. */
export interface AuthenticationDeps {
  authenticator: Authenticator;
  tokens: RegistryTokenService;
}

/** Authenticates a request; throws UNAUTHORIZED for credentials that are present but invalid. */
export async function authenticate(req: FastifyRequest, deps: AuthenticationDeps): Promise<Authentication> {
  const header = req.headers.authorization;
  if (!header) return { principal: ANONYMOUS };
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space === -1 ? undefined : space).toLowerCase();
  const value = space === -1 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw invalidCredentials();
    const principal = await deps.authenticator.basic(decoded.slice(0, colon), decoded.slice(colon + 1), req.ip);
    if (!principal) throw invalidCredentials();
    return { principal };
  }
  if (scheme === 'bearer' && value !== '') {
    if (value.split('.').length === 3) {
      const claims = await deps.tokens.verify(value);
      if (!claims) throw invalidCredentials('invalid or expired token');
      return { principal: principalOf(claims), claims };
    }
    const principal = await deps.authenticator.bearerSecret(value, req.ip);
    if (!principal) throw invalidCredentials('invalid, expired or revoked token');
    return { principal };
  }
  throw invalidCredentials('unsupported authorization scheme');
}

function principalOf(claims: RegistryClaims): Principal {
  if (claims.kind === 'user') return { kind: 'user', id: claims.uid, name: claims.sub, sysadmin: false };
  if (claims.kind === 'robot') return { kind: 'robot', id: claims.uid, name: claims.sub, project: '', actions: [] };
  return ANONYMOUS;
}

function invalidCredentials(message = 'invalid username or password'): RegistryError {
  return new RegistryError('UNAUTHORIZED', message, { detail: { reason: 'invalid_credentials' } });
}


/**
 * The caller of a REST surface (Berth's API, Kubeflow's), recorded on the request for the audit log.
 * A registry token carries only its access claim, so it never stands for the whole account here.
 */
export async function restPrincipal(req: FastifyRequest, deps: AuthenticationDeps | null): Promise<Principal> {
  const auth = deps ? await authenticate(req, deps) : undefined;
  if (auth?.claims) throw new RegistryError('UNAUTHORIZED', 'registry tokens are valid only on /v2/; use a password, personal access token or robot secret');
  const principal = auth?.principal ?? UNGUARDED;
  req.berthPrincipal = principal;
  return principal;
}
