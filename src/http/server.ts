// Builds the Fastify server: logging, health probes, metrics, and one plugin per API surface.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { apiPlugin, type ApiPluginDeps } from './api/plugin.js';
import type { AuthenticationDeps } from './auth/authenticate.js';
import { tokenRoutes } from './auth/token-routes.js';
import type { OciGuardDeps } from './oci/guard.js';
import type { OciServices } from './oci/handlers.js';
import { hfPlugin, type HfPluginDeps } from './hf/plugin.js';
import { modelRegistryPlugin, type ModelRegistryDeps } from './model-registry/plugin.js';
import { MODEL_REGISTRY_PREFIX } from './model-registry/routes.js';
import { metricsPlugin, type HttpMetrics } from './metrics/plugin.js';
import { ociPlugin } from './oci/plugin.js';
import { uiPlugin, type UiPluginDeps } from './ui/plugin.js';

/** What the HTTP layer needs from the composition root. */
export interface HttpDependencies {
  logger: Logger;
  oci: OciServices;
  /** Access control on the OCI surface; null when auth is off. */
  ociGuard: OciGuardDeps;
  api: ApiPluginDeps;
  hf: HfPluginDeps;
  /** The Kubeflow Model Registry API (/api/model_registry/v1alpha3). */
  modelRegistry: ModelRegistryDeps;
  /** The token endpoint's collaborators; null when auth is off. */
  tokenAuth: AuthenticationDeps | null;
  /** Resolves when every backing store answers; rejects otherwise. */
  ready: () => Promise<void>;
  /** True once shutdown has begun: /readyz answers 503 so load balancers stop sending requests. */
  draining?: () => boolean;
  /** Prometheus metrics at /metrics; absent when disabled. */
  metrics?: HttpMetrics | null;
  /** The web UI at /ui/; absent or null when disabled. */
  ui?: UiPluginDeps | null;
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
  if (deps.metrics) metricsPlugin(app, deps.metrics);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (deps.draining?.()) return reply.code(503).send({ status: 'draining' });
    try {
      await deps.ready();
      return { status: 'ready' };
    } catch (err) {
      deps.logger.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
  await app.register(async (scope) => ociPlugin(scope, deps.oci, deps.ociGuard));
  await app.register(async (scope) => apiPlugin(scope, deps.api));
  await app.register(async (scope) => hfPlugin(scope, deps.hf));
  await app.register(async (scope) => modelRegistryPlugin(scope, deps.modelRegistry), { prefix: MODEL_REGISTRY_PREFIX });
  const tokenAuth = deps.tokenAuth;
  if (tokenAuth) await app.register(async (scope) => tokenRoutes(scope, tokenAuth));
  const ui = deps.ui;
  if (ui) await app.register(async (scope) => uiPlugin(scope, ui));
  return app;
}
