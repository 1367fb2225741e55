// Mounts Berth's REST API routes tables: authentication and each route's permission in one hook,
// zod validation of params/query/body, `{"errors":[{code,message,detail}]}` errors, and the audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessService } from '../../core/access/access-service.js';
import { ANONYMOUS, isSystemAdmin, type Principal } from '../../core/access/permissions.js';
import { RegistryError } from '../../core/errors.js';
import { restPrincipal, type AuthenticationDeps } from '../auth/authenticate.js';
import { recordAudit, shouldAudit } from '../auth/audit.js';
import { toRegistryError } from '../errors.js';
import type { ApiRoute } from './route.js';

/** What the API plugin needs; `auth: null` means access control is off and callers act as administrators. */
export interface ApiPluginDeps {
  routes: ApiRoute[];
  access: AccessService;
  auth: AuthenticationDeps | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    berthPrincipal?: Principal;
  }
}

/** Registers the REST routes. */
export async function apiPlugin(app: FastifyInstance, deps: ApiPluginDeps): Promise<void> {
  // Clients send `content-type: application/json` on every call, DELETE included: an empty body is no body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1 << 20 }, (_req, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new RegistryError('INVALID', 'the request body is not valid JSON'), undefined);
    }
  });
  app.setErrorHandler((err, req, reply) => {
    const error = toRegistryError(err);
    if (error.code === 'INTERNAL') req.log.error({ err }, 'unhandled error on the REST API');
    if (error.status === 401) reply.header('www-authenticate', 'Basic realm="berth", Bearer realm="berth"');
    return reply.code(error.status).send(apiErrorBody(error));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(apiErrorBody(new RegistryError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`))));
  app.addHook('onResponse', async (req, reply) => {
    if (!shouldAudit(req.method, reply.statusCode) || !req.routeOptions.url) return;
    const params = (req.params ?? {}) as Record<string, string>;
    await recordAudit(deps.access, req, reply, {
      principal: req.berthPrincipal ?? ANONYMOUS,
      action: `${req.method} ${req.routeOptions.url}`,
      resource: req.url.split('?')[0]!,
      project: params.project ?? null,
    });
  });

  for (const route of deps.routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const principal = await restPrincipal(req, deps.auth);
        if (route.permission !== 'public' && principal.kind === 'anonymous') throw new RegistryError('UNAUTHORIZED', 'authentication required');
        if (route.permission === 'sysadmin' && !isSystemAdmin(principal)) throw new RegistryError('DENIED', 'only a system administrator may do this');
        const params = parse(route.schema?.params, req.params, 'path');
        const query = parse(route.schema?.query, req.query, 'query');
        const body = parse(route.schema?.body, req.body ?? {}, 'body');
        const result = await route.handler({ principal, params, query, body, req, reply });
        const status = route.status ?? 200;
        return status === 204 ? reply.code(204).send() : reply.code(status).send(result);
      },
    });
  }
}

function parse(schema: NonNullable<ApiRoute['schema']>['body'], value: unknown, where: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new RegistryError('INVALID', `invalid ${where}: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`, {
    detail: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/** The REST error envelope: catalogue codes as they are (the OCI surface maps some to spec codes). */
function apiErrorBody(err: RegistryError): { errors: Array<{ code: string; message: string; detail?: unknown }> } {
  return { errors: [{ code: err.code, message: err.message, ...(err.detail !== undefined ? { detail: err.detail } : {}) }] };
}
