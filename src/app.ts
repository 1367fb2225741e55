// The composition root, and the only one: configuration -> adapters -> core services -> HTTP.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createBlobStore } from './adapters/blobs/open.js';
import { openStores } from './adapters/metadata/open.js';
import { BerthMetrics } from './adapters/metrics/berth-metrics.js';
import { meteredBlobStore } from './adapters/metrics/metered-blob-store.js';
import { createJwtSigner } from './adapters/tokens/jwt-signer.js';
import { httpWebhookSender } from './adapters/webhooks/http-sender.js';
import type { ResolvedConfig } from './config/load.js';
import { AccessService } from './core/access/access-service.js';
import { Authenticator } from './core/access/authenticator.js';
import { LocalUserSource } from './core/access/local-user-source.js';
import { RegistryTokenService } from './core/access/registry-tokens.js';
import { PullRecorder } from './core/events/pull-recorder.js';
import { WebhookDispatcher } from './core/events/webhook-dispatcher.js';
import { WebhookService } from './core/events/webhook-service.js';
import { HubService } from './core/hub/hub-service.js';
import { MetadataService } from './core/models/metadata-service.js';
import { ModelAliases } from './core/models/model-aliases.js';
import { ModelLineage } from './core/models/model-lineage.js';
import { ModelService } from './core/models/model-service.js';
import { PushRegistration } from './core/models/push-registration.js';
import { dangerousVersionGate, projectScanPolicy } from './core/scanning/scan-gate.js';
import { VersionScanner } from './core/scanning/version-scanner.js';
import { ArtifactCatalog } from './core/oci/artifact-catalog.js';
import { RegistryService } from './core/oci/registry.js';
import { UploadService } from './core/oci/uploads.js';
import { GarbageCollector } from './core/oci/garbage-collector.js';
import { ImmutabilityService } from './core/policies/immutability-service.js';
import { QuotaPolicy } from './core/policies/quota-policy.js';
import { QuotaService } from './core/policies/quota-service.js';
import { TagPolicy } from './core/policies/tag-policy.js';
import { PullTimes } from './core/retention/pull-times.js';
import { RetentionService } from './core/retention/retention-service.js';
import { isRegistryError } from './core/errors.js';
import { systemClock } from './core/ports/clock.js';
import { accessRoutes } from './http/api/access-routes.js';
import { deployRoutes } from './http/api/deploy-routes.js';
import { gcRoutes } from './http/api/gc-routes.js';
import { modelRoutes } from './http/api/model-routes.js';
import { webhookRoutes } from './http/api/webhook-routes.js';
import { policyRoutes } from './http/api/policy-routes.js';
import { retentionRoutes } from './http/api/retention-routes.js';
import { repositoryRoutes } from './http/api/repository-routes.js';
import type { AuthenticationDeps } from './http/auth/authenticate.js';
import { createHttpServer } from './http/server.js';

/** A wired Berth instance: its HTTP server and how to release everything it holds. */
export interface App {
  http: FastifyInstance;
  uploads: UploadService;
  /** Set on the first start of an auth-enabled instance when no admin password was configured. */
  generatedAdminPassword?: string | undefined;
  /** Starts shutdown: /readyz answers 503 from now on, while requests are still served. */
  drain(): void;
  close(): Promise<void>;
}

/** Builds Berth from a resolved configuration. */
export async function createApp(config: ResolvedConfig, logger: Logger): Promise<App> {
  const stores = await openStores(config.database);
  const storedBlobs = await createBlobStore(config.storage, { uploadLedger: stores.uploadLedger });
  const metrics = config.metrics.enabled
    ? new BerthMetrics({
        database: stores.stats,
        collect: [
          async (gauges) => gauges.webhookBacklog(await stores.webhooks.backlog()),
          async (gauges) => gauges.projectStorage((await stores.policies.listQuotas()).map((q) => ({ project: q.project, used: q.used, hard: q.hard ?? config.quotas.defaultStorageBytes }))),
        ],
      })
    : null;
  const blobs = metrics ? meteredBlobStore(storedBlobs, (operation) => metrics.storageFailure(operation)) : storedBlobs;
  let draining = false;
  const registry = new RegistryService(blobs, stores.registry, systemClock, {
    maxManifestBytes: config.registry.maxManifestBytes,
    maxPageSize: config.registry.maxPageSize,
  });
  // Digest states are saved per chunk where an upload cannot be read back cheaply (S3); see uploads.ts.
  const uploads = new UploadService(blobs, stores.registry, systemClock, { saveDigestState: config.storage.driver === 's3' });
  const projectHasContent = async (project: string) => {
    const [next] = await stores.registry.listRepositories({ last: `${project}/`, limit: 1 });
    return (next?.startsWith(`${project}/`) ?? false) || (await stores.registry.repositoryExists(project));
  };
  const scanPolicy = projectScanPolicy(stores.access, systemClock);
  const access = new AccessService(stores.access, systemClock, projectHasContent, (project) => scanPolicy.forget(project));
  // Model metadata: pushed ModelPack artifacts register versions whose URIs name this host.
  const ociHost = config.externalUrl ? new URL(config.externalUrl).host : config.listen;
  const metadata = new MetadataService(stores.models, registry, systemClock, [ociHost, config.listen]);
  const models = new ModelService(stores.models, registry, blobs, systemClock);
  const scanner = config.scanning.enabled ? new VersionScanner(stores.models, blobs, systemClock, (err) => logger.warn({ err }, 'model scan failed')) : undefined;
  registry.onEvent(new PushRegistration(stores.models, blobs, systemClock, ociHost, scanner).listener);

  // Webhooks: changes write events to the outbox in their own transactions; this replica's dispatcher
  // delivers them (leases in the database share the work with other replicas); pulls are batched.
  const hooks = config.webhooks;
  const dispatcher = new WebhookDispatcher(stores.webhooks, httpWebhookSender, systemClock, {
    maxAttempts: hooks.maxAttempts,
    baseDelayMs: hooks.retryBaseSeconds * 1000,
    maxDelayMs: hooks.retryMaxSeconds * 1000,
    timeoutMs: hooks.timeoutSeconds * 1000,
    concurrency: hooks.concurrency,
    pollMs: hooks.pollMs,
    registryHost: ociHost,
  }, (err) => logger.warn({ err }, 'webhook delivery pass failed'));
  const pulls = new PullRecorder(stores.webhooks, { flushMs: 1000, batchSize: 500, maxBuffered: 100_000, refreshMs: 5000 }, () => dispatcher.kick(), (err) => logger.warn({ err }, 'could not record pull events'));
  // Retention's pull-based templates read per-manifest pull times, noted in memory and written in batches.
  const pullTimes = new PullTimes(stores.retention, { flushMs: config.retention.pullTimesFlushMs, minIntervalMs: 60_000, maxPending: 100_000 }, (err) => logger.warn({ err }, 'could not record pull times'));
  registry.observePulls((pull) => {
    pulls.observer(pull);
    pullTimes.observer(pull);
  });
  registry.onEvent(async () => dispatcher.kick());
  // Project policies: immutable tags and storage quotas, enforced by the registry on manifest pushes and deletes.
  const tagPolicy = new TagPolicy(stores.policies, systemClock);
  registry.usePolicies({ tags: tagPolicy, quota: new QuotaPolicy(config.quotas, systemClock, async (events) => { await stores.webhooks.appendEvents(events); dispatcher.kick(); }) });
  const selfAddresses = [config.listen, ...(config.externalUrl ? [hostWithPort(new URL(config.externalUrl))] : [])];
  const webhooks = new WebhookService(stores.webhooks, dispatcher, systemClock, selfAddresses, () => void pulls.refresh());

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
  if (config.scanning.enabled) {
    const gate = dangerousVersionGate(stores.models, config.scanning.blockDangerous ? undefined : scanPolicy);
    registry.gatePulls(gate);
    hub.gatePulls(gate);
  }
  const authEnabled = tokenAuth !== null;
  const gc = new GarbageCollector(blobs, stores.gc, systemClock, { graceSeconds: config.gc.graceSeconds, holder: `${hostname()}:${process.pid}` });
  // Tag retention deletes through the registry's manifest delete, and never what an immutable tag holds.
  const retention = new RetentionService(stores.retention, registry, systemClock, {
    holder: `${hostname()}:${process.pid}`,
    isProtected: async (repository, tag) => (await tagPolicy.protecting(repository, tag)) !== undefined,
    onEventsWritten: () => dispatcher.kick(),
    onError: (err) => logger.warn({ err }, 'retention run failed'),
  });
  const apiRoutes = [
    ...accessRoutes(access),
    ...gcRoutes(gc),
    ...modelRoutes({ models, aliases: new ModelAliases(models), lineage: new ModelLineage(models), access, authEnabled }),
    ...deployRoutes({ hub, access, authEnabled, baseUrl }),
    ...webhookRoutes({ webhooks, access, authEnabled }),
    ...policyRoutes({
      immutability: new ImmutabilityService(stores.policies, tagPolicy, systemClock),
      quotas: new QuotaService(stores.policies, config.quotas, async () => (await stores.access.listProjects()).map((p) => p.name)),
      access,
      authEnabled,
      projectKnown: async (p) => (await stores.access.getProject(p)) !== null || (await projectHasContent(p)),
    }),
    ...retentionRoutes({ retention, access, authEnabled }),
    ...repositoryRoutes({
      catalog: new ArtifactCatalog(stores.registry, registry, stores.models, tagPolicy),
      access,
      authEnabled,
      projectKnown: async (p) => (await stores.access.getProject(p)) !== null || (await projectHasContent(p)),
    }),
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
    draining: () => draining,
    metrics,
    // The UI's build output: dist/web beside both src/ (tsx) and dist/ (built).
    ui: config.ui.enabled ? { root: resolve(import.meta.dirname, '../dist/web') } : null,
  });

  const ttlMs = config.registry.uploadTtlHours * 3600_000;
  const expiry = setInterval(() => {
    uploads.expire(new Date(Date.now() - ttlMs)).catch((err: unknown) => logger.warn({ err }, 'upload expiry failed'));
    stores.webhooks.prune(new Date(Date.now() - hooks.retentionDays * 86_400_000)).catch((err: unknown) => logger.warn({ err }, 'webhook log pruning failed'));
  }, Math.min(ttlMs, 3600_000));
  expiry.unref();
  // Every replica may schedule GC: the lease lets one of them run at a time, the others skip.
  const gcTimer = config.gc.intervalHours > 0 ? setInterval(() => {
    gc.collect().catch((err: unknown) => logger[isRegistryError(err) && err.code === 'CONFLICT' ? 'debug' : 'warn']({ err }, 'scheduled garbage collection did not run'));
  }, Math.min(config.gc.intervalHours * 3600_000, 2 ** 31 - 1)) : undefined;
  gcTimer?.unref();
  // Every replica checks retention schedules; the per-project lease lets one of them run each.
  const retentionTimer = setInterval(() => void retention.runDue().catch((err: unknown) => logger.warn({ err }, 'scheduled retention check failed')), 60_000);
  retentionTimer.unref();
  pullTimes.start();
  await pulls.start();
  dispatcher.start();

  return {
    http,
    uploads,
    generatedAdminPassword,
    drain: () => void (draining = true),
    async close() {
      clearInterval(expiry);
      clearInterval(gcTimer);
      clearInterval(retentionTimer);
      await http.close();
      await pulls.stop();
      await retention.stop();
      await pullTimes.stop();
      await scanner?.idle();
      await dispatcher.stop();
      await stores.close();
      await blobs.close();
    },
  };
}

/** `host:port` of a URL, with the scheme's default port filled in. */
function hostWithPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}
