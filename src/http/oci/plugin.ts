// Mounts the OCI routes table under /v2 on Fastify: raw (unparsed) bodies, path matching by the
// table, and the OCI error envelope for every failure on this surface.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, projectOf } from '../../core/access/permissions.js';
import { RegistryError } from '../../core/errors.js';
import { recordAudit } from '../auth/audit.js';
import { toRegistryError } from '../errors.js';
import { ociErrorBody } from './errors.js';
import { guardOciRequest, type OciGuardDeps } from './guard.js';
import { startUpload, type OciServices } from './handlers.js';
import { matchOciRoute, type OciRoute } from './routes.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Registers the OCI Distribution surface. */
export async function ociPlugin(app: FastifyInstance, services: OciServices, guard: OciGuardDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  app.setErrorHandler((err, req, reply) => sendOciError(req, reply, err));
  const dispatch = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('docker-distribution-api-version', 'registry/2.0');
    const [rawPath, rawQuery = ''] = req.url.split('?', 2) as [string, string?];
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      throw new RegistryError('NAME_INVALID', 'malformed percent-encoding in path');
    }
    const match = matchOciRoute(req.method, path);
    if (match.kind === 'not-found') throw new RegistryError('NOT_FOUND', 'no such endpoint', { detail: { path: rawPath.slice(0, 200) } });
    if (match.kind === 'method-not-allowed') throw new RegistryError('UNSUPPORTED', `${req.method} is not supported on this endpoint`);
    req.ociRoute = { route: match.route, params: match.params };
    const access = await guardOciRequest(guard, req, reply, match.route, match.params);
    req.berthPrincipal = access.principal;
    return match.route.handler({ req, reply, params: match.params, query: new URLSearchParams(rawQuery), services, access });
  };
  if (guard) {
    const accessService = guard.access;
    app.addHook('onResponse', async (req, reply) => {
      const matched = req.ociRoute;
      if (!matched || !auditable(matched.route, req.method, reply.statusCode)) return;
      const repository = matched.route.permission === 'none' || matched.route.permission === 'catalog' ? undefined : matched.params[0];
      await recordAudit(accessService, req, reply, {
        principal: req.berthPrincipal ?? ANONYMOUS,
        action: `oci.${matched.route.handler.name}`,
        resource: req.url.split('?')[0]!,
        project: repository ? projectOf(repository) : null,
      });
    });
  }
  app.route({ method: [...METHODS], url: '/v2', handler: dispatch });
  app.route({ method: [...METHODS], url: '/v2/*', handler: dispatch });
}

/** Writes that are audited: committed blobs, mounts, manifests, deletes; plus every denial except the /v2/ challenge. */
function auditable(route: OciRoute, method: string, status: number): boolean {
  if (status === 401 || status === 403) return route.permission !== 'none';
  if (status >= 400 || method === 'GET' || method === 'HEAD' || method === 'PATCH') return false;
  return !(route.handler === startUpload && status === 202);
}

declare module 'fastify' {
  interface FastifyRequest {
    ociRoute?: { route: OciRoute; params: string[] };
  }
}

function sendOciError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const error = toRegistryError(err);
  if (error.code === 'INTERNAL') req.log.error({ err }, 'unhandled error on the OCI surface');
  if (!req.raw.readableEnded && !req.raw.destroyed) req.raw.resume();
  if (error.status === 416 && error.code === 'RANGE_INVALID') {
    const size = (error.detail as { size?: number } | undefined)?.size;
    if (size !== undefined) reply.header('content-range', `bytes */${size}`);
  }
  reply.code(error.status).header('content-type', 'application/json');
  return reply.send(req.method === 'HEAD' ? undefined : ociErrorBody(error));
}
