// Mounts the Kubeflow Model Registry routes table under /api/model_registry/v1alpha3: the same
// authentication as Berth's REST API (Basic, personal tokens, robot secrets; open when access control
// is off), each route's permission, `{code, message}` errors and the audit log of writes.
// https://github.com/kubeflow/model-registry/blob/main/api/openapi/model-registry.yaml (Error)
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessService } from '../../core/access/access-service.js';
import { ANONYMOUS } from '../../core/access/permissions.js';
import { RegistryError } from '../../core/errors.js';
import type { MetadataService } from '../../core/models/metadata-service.js';
import { recordAudit, shouldAudit } from '../auth/audit.js';
import { restPrincipal, type AuthenticationDeps } from '../auth/authenticate.js';
import { modelAccessFor } from '../auth/model-access.js';
import { toRegistryError } from '../errors.js';
import { MODEL_REGISTRY_ROUTES } from './routes.js';

/** What the surface needs; `auth: null` means access control is off. */
export interface ModelRegistryDeps {
  service: MetadataService;
  access: AccessService;
  auth: AuthenticationDeps | null;
}

/** Registers the routes; mount it with `prefix: MODEL_REGISTRY_PREFIX`. */
export async function modelRegistryPlugin(app: FastifyInstance, deps: ModelRegistryDeps): Promise<void> {
  app.setErrorHandler((err, req, reply) => {
    const error = toRegistryError(err);
    if (error.code === 'INTERNAL') req.log.error({ err }, 'unhandled error on the model registry API');
    return sendError(reply, error);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new RegistryError('NOT_FOUND', `no operation ${req.method} ${req.url.split('?')[0]}`)));
  app.addHook('onResponse', async (req, reply) => {
    if (!shouldAudit(req.method, reply.statusCode) || !req.routeOptions.url) return;
    await recordAudit(deps.access, req, reply, { principal: req.berthPrincipal ?? ANONYMOUS, action: `${req.method} ${req.routeOptions.url}`, resource: req.url.split('?')[0]!, project: null });
  });

  for (const route of MODEL_REGISTRY_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const principal = await restPrincipal(req, deps.auth);
        if (route.permission === 'push' && principal.kind === 'anonymous') throw new RegistryError('UNAUTHORIZED', 'authentication required to change model metadata');
        const access = modelAccessFor(principal, deps.access, req.headers.host, deps.auth !== null);
        const result = await route.handler({
          access,
          params: (req.params ?? {}) as Record<string, string>,
          query: queryOf(req.query),
          body: req.body,
          service: deps.service,
        });
        return reply.code(result.status).send(result.body);
      },
    });
  }
}

/** The Error schema: `code` is the HTTP status text, as the reference server writes it. */
function sendError(reply: FastifyReply, error: RegistryError): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', 'Basic realm="berth", Bearer realm="berth"');
  return reply.code(error.status).send({ code: STATUS_CODES[error.status] ?? String(error.status), message: error.message });
}

/** Query parameters as single strings (a repeated parameter is a bad request). */
function queryOf(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) throw new RegistryError('INVALID', `query parameter ${key} is given more than once`);
    out[key] = typeof value === 'string' ? value : undefined;
  }
  return out;
}
