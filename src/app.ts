// The composition root, and the only one: configuration -> adapters -> core services -> HTTP.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createFilesystemBlobStore } from './adapters/blobs/filesystem.js';
import { openRegistryStore } from './adapters/metadata/open.js';
import type { ResolvedConfig } from './config/load.js';
import { RegistryService } from './core/oci/registry.js';
import { UploadService } from './core/oci/uploads.js';
import { systemClock } from './core/ports/clock.js';
import { createHttpServer } from './http/server.js';

/** A wired Berth instance: its HTTP server and how to release everything it holds. */
export interface App {
  http: FastifyInstance;
  uploads: UploadService;
  close(): Promise<void>;
}

/** Builds Berth from a resolved configuration. */
export async function createApp(config: ResolvedConfig, logger: Logger): Promise<App> {
  const blobs = await createFilesystemBlobStore({ root: config.storage.path, fsync: config.storage.fsync });
  const store = await openRegistryStore(config.database);
  const registry = new RegistryService(blobs, store, systemClock, {
    maxManifestBytes: config.registry.maxManifestBytes,
    maxPageSize: config.registry.maxPageSize,
  });
  const uploads = new UploadService(blobs, store, systemClock);
  const http = await createHttpServer({ logger, oci: { registry, uploads }, ready: () => store.ping() });

  const ttlMs = config.registry.uploadTtlHours * 3600_000;
  const expiry = setInterval(() => {
    uploads.expire(new Date(Date.now() - ttlMs)).catch((err: unknown) => logger.warn({ err }, 'upload expiry failed'));
  }, Math.min(ttlMs, 3600_000));
  expiry.unref();

  return {
    http,
    uploads,
    async close() {
      clearInterval(expiry);
      await http.close();
      await store.close();
      await blobs.close();
    },
  };
}
