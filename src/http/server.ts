// Builds the Fastify server: logging, health probes, and one plugin per API surface.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { OciServices } from './oci/handlers.js';
import { ociPlugin } from './oci/plugin.js';

/** What the HTTP layer needs from the composition root. */
export interface HttpDependencies {
  logger: Logger;
  oci: OciServices;
  /** Resolves when every backing store answers; rejects otherwise. */
  ready: () => Promise<void>;
}

/** Creates the server with every surface registered (not yet listening). */
export async function createHttpServer(deps: HttpDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 4096 },
    bodyLimit: 1 << 20,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestTimeout: 0,
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.ready();
      return { status: 'ready' };
    } catch (err) {
      deps.logger.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
  await app.register(async (scope) => ociPlugin(scope, deps.oci));
  return app;
}
