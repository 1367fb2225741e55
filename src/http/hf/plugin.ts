// Mounts the Hub surface: authentication (Bearer personal tokens or robot secrets, `hf_` prefix
// accepted), pull permission on the project, and Hub-style errors (`X-Error-Code`, `X-Error-Message`,
// `{"error": ...}`) that huggingface_hub turns into RepositoryNotFound / RevisionNotFound / EntryNotFound.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessService } from '../../core/access/access-service.js';
import { ANONYMOUS, projectOf, type Principal } from '../../core/access/permissions.js';
import type { HubService } from '../../core/hub/hub-service.js';
import { RegistryError } from '../../core/errors.js';
import { authenticate, type AuthenticationDeps } from '../auth/authenticate.js';
import { toRegistryError } from '../errors.js';
import { HF_ROUTES, segmentsOf } from './routes.js';

/** What the Hub surface needs; `auth: null` when access control is off. */
export interface HfPluginDeps {
  hub: HubService;
  access: AccessService;
  auth: AuthenticationDeps | null;
  /** Absolute base URL for a request (configured external URL, else from the request). */
  baseUrl: (req: FastifyRequest) => string;
}

const HF_CODES: Partial<Record<string, string>> = {
  REPO_NOT_FOUND: 'RepoNotFound',
  REVISION_NOT_FOUND: 'RevisionNotFound',
  ENTRY_NOT_FOUND: 'EntryNotFound',
};

/** Registers the Hub routes. */
export async function hfPlugin(app: FastifyInstance, deps: HfPluginDeps): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1 << 20 }, (_req, body, done) => done(null, new URLSearchParams(body as string)));
  app.setErrorHandler((err, req, reply) => sendHfError(req, reply, err));
  const dispatch = async (req: FastifyRequest, reply: FastifyReply) => {
    const [rawPath, rawQuery = ''] = req.url.split('?', 2) as [string, string?];
    const segments = segmentsOf(rawPath);
    if (!segments) throw new RegistryError('INVALID', 'malformed percent-encoding in path');
    const method = req.method === 'HEAD' ? 'HEAD' : req.method;
    for (const route of HF_ROUTES) {
      if (route.method !== method) continue;
      const params = route.match(segments);
      if (!params) continue;
      const principal = await authorize(deps, req, route.permission, params.repository);
      let privateFlag: boolean | undefined;
      return route.handler({
        req,
        reply,
        repository: params.repository ?? '',
        revision: params.revision,
        path: params.path ?? '',
        query: new URLSearchParams(rawQuery),
        hub: deps.hub,
        principal,
        baseUrl: deps.baseUrl(req),
        isPrivate: async () => (privateFlag ??= deps.auth ? !((await deps.access.projectAccess(principal, projectOf(params.repository ?? '')))?.public ?? false) : false),
      });
    }
    throw new RegistryError('NOT_FOUND', `no Hub endpoint ${req.method} ${rawPath.slice(0, 200)}`);
  };
  app.route({ method: ['GET', 'POST'], url: '/api/models/*', handler: dispatch });
  app.route({ method: ['GET'], url: '/api/whoami-v2', handler: dispatch });
  app.route({ method: ['GET', 'HEAD'], url: '/:org/:name/resolve/*', handler: dispatch, exposeHeadRoute: false });
  app.route({ method: ['GET', 'HEAD'], url: '/:org/:name/raw/*', handler: dispatch, exposeHeadRoute: false });
}

/**
 * The caller, once allowed to pull from the repo's project. A repo the caller may not read looks
 * exactly like one that does not exist (401 for anonymous callers, 404 otherwise), so nothing leaks.
 */
async function authorize(deps: HfPluginDeps, req: FastifyRequest, permission: 'pull' | 'authenticated', repository: string | undefined): Promise<Principal> {
  if (!deps.auth) return ANONYMOUS;
  let principal: Principal;
  try {
    principal = (await authenticate(req, deps.auth)).principal;
  } catch {
    throw new RegistryError('UNAUTHORIZED', 'Invalid credentials in Authorization header');
  }
  req.berthPrincipal = principal;
  if (permission === 'authenticated') return principal;
  if (repository && (await deps.access.can(principal, projectOf(repository), 'pull'))) return principal;
  const status = principal.kind === 'anonymous' ? 401 : 404;
  throw new RegistryError('REPO_NOT_FOUND', 'Repository not found', { status });
}

function sendHfError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const error = toRegistryError(err);
  if (error.code === 'INTERNAL') req.log.error({ err }, 'unhandled error on the Hub surface');
  const code = HF_CODES[error.code];
  if (code) reply.header('x-error-code', code);
  reply.header('x-error-message', error.message.replace(/[\r\n]/g, ' ').slice(0, 500));
  const commit = (error.detail as { commit?: string } | undefined)?.commit;
  if (commit) reply.header('x-repo-commit', commit);
  if (error.code === 'RANGE_INVALID') {
    const size = (error.detail as { size?: number } | undefined)?.size;
    if (size !== undefined) reply.header('content-range', `bytes */${size}`);
  }
  reply.code(error.status).header('content-type', 'application/json');
  return reply.send(req.method === 'HEAD' ? undefined : { error: error.message });
}
