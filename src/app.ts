// The composition root, and the only one: configuration -> adapters -> core services -> HTTP.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createFilesystemBlobStore } from './adapters/blobs/filesystem.js';
import { openStores } from './adapters/metadata/open.js';
import { createJwtSigner } from './adapters/tokens/jwt-signer.js';
import type { ResolvedConfig } from './config/load.js';
import { AccessService } from './core/access/access-service.js';
import { Authenticator } from './core/access/authenticator.js';
import { LocalUserSource } from './core/access/local-user-source.js';
import { RegistryTokenService } from './core/access/registry-tokens.js';
import { HubService } from './core/hub/hub-service.js';
import { MetadataService } from './core/models/metadata-service.js';
import { ModelAliases } from './core/models/model-aliases.js';
import { ModelLineage } from './core/models/model-lineage.js';
import { ModelService } from './core/models/model-service.js';
import { PushRegistration } from './core/models/push-registration.js';
import { RegistryService } from './core/oci/registry.js';
import { UploadService } from './core/oci/uploads.js';
import { systemClock } from './core/ports/clock.js';
import { accessRoutes } from './http/api/access-routes.js';
import { deployRoutes } from './http/api/deploy-routes.js';
import { modelRoutes } from './http/api/model-routes.js';
import type { AuthenticationDeps } from './http/auth/authenticate.js';
import { createHttpServer } from './http/server.js';

/** A wired Berth instance: its HTTP server and how to release everything it holds. */
export interface App {
  http: FastifyInstance;
  uploads: UploadService;
  /** Set on the first start of an auth-enabled instance when no admin password was configured. */
  generatedAdminPassword?: string | undefined;
  close(): Promise<void>;
}

/** Builds Berth from a resolved configuration. */
export async function createApp(config: ResolvedConfig, logger: Logger): Promise<App> {
  const blobs = await createFilesystemBlobStore({ root: config.storage.path, fsync: config.storage.fsync });
  const stores = await openStores(config.database);
  const registry = new RegistryService(blobs, stores.registry, systemClock, {
    maxManifestBytes: config.registry.maxManifestBytes,
    maxPageSize: config.registry.maxPageSize,
  });
  const uploads = new UploadService(blobs, stores.registry, systemClock);
  const projectHasContent = async (project: string) => {
    const [next] = await stores.registry.listRepositories({ last: `${project}/`, limit: 1 });
    return (next?.startsWith(`${project}/`) ?? false) || (await stores.registry.repositoryExists(project));
  };
  const access = new AccessService(stores.access, systemClock, projectHasContent);
  // Model metadata: pushed ModelPack artifacts register versions whose URIs name this host.
  const ociHost = config.externalUrl ? new URL(config.externalUrl).host : config.listen;
  const metadata = new MetadataService(stores.models, registry, systemClock, [ociHost, config.listen]);
  const models = new ModelService(stores.models, registry, blobs, systemClock);
  registry.onEvent(new PushRegistration(stores.models, blobs, systemClock, ociHost).listener);

  let generatedAdminPassword: string | undefined;
  let tokenAuth: AuthenticationDeps | null = null;
  if (config.auth.enabled) {
    const boot = await access.bootstrap(config.auth.adminPassword);
    generatedAdminPassword = boot.generatedPassword;
    const tokens = new RegistryTokenService(access, await createJwtSigner(stores.access), systemClock, config.auth.service, config.auth.tokenTtlSeconds);
    tokenAuth = { authenticator: new Authenticator(stores.access, new LocalUserSource(stores.access), systemClock), tokens };
  }
  const baseUrl = (req: FastifyRequest) => config.externalUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.headers.host ?? config.listen}`;
  const realm = (req: FastifyRequest) => `${baseUrl(req)}/auth/token`;
  const hub = new HubService(stores.registry, blobs);
  hub.useAliases((repository, alias) => models.resolveAlias(repository, alias));
  const authEnabled = tokenAuth !== null;
  const apiRoutes = [
    ...accessRoutes(access),
    ...modelRoutes({ models, aliases: new ModelAliases(models), lineage: new ModelLineage(models), access, authEnabled }),
    ...deployRoutes({ hub, access, authEnabled, baseUrl }),
  ];
  const http = await createHttpServer({
    logger,
    oci: { registry, uploads },
    ociGuard: tokenAuth ? { ...tokenAuth, access, realm } : null,
    api: { routes: apiRoutes, access, auth: tokenAuth },
    hf: { hub, access, auth: tokenAuth, baseUrl },
    modelRegistry: { service: metadata, access, auth: tokenAuth },
    tokenAuth,
    ready: () => stores.registry.ping(),
  });

  const ttlMs = config.registry.uploadTtlHours * 3600_000;
  const expiry = setInterval(() => {
    uploads.expire(new Date(Date.now() - ttlMs)).catch((err: unknown) => logger.warn({ err }, 'upload expiry failed'));
  }, Math.min(ttlMs, 3600_000));
  expiry.unref();

  return {
    http,
    uploads,
    generatedAdminPassword,
    async close() {
      clearInterval(expiry);
      await http.close();
      await stores.close();
      await blobs.close();
    },
  };
}
