// Berth's REST API for garbage collection, as a routes table: run a collection (or a dry run) and list
// the last runs. System administrators only. The GarbageCollector explains what goes and why it is safe.
import { z } from 'zod';
import type { GarbageCollector, GcReport } from '../../core/oci/garbage-collector.js';
import { route, type ApiRoute } from './route.js';

/** The garbage-collection routes, bound to a GarbageCollector. */
export function gcRoutes(gc: GarbageCollector): ApiRoute[] {
  return [
    route({ method: 'POST', url: '/api/v1/system/gc', permission: 'sysadmin',
      schema: { body: z.object({ dryRun: z.boolean().optional(), graceSeconds: z.number().int().min(0).max(10 * 365 * 86_400).optional() }).strict() },
      handler: async ({ body }) => gcView(await gc.collect(body)) }),
    route({ method: 'GET', url: '/api/v1/system/gc', permission: 'sysadmin',
      schema: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(20) }) },
      handler: async ({ query }) => (await gc.history(query.limit)).map(gcView) }),
  ];
}

/** The JSON shape of a GC run. */
function gcView(r: GcReport) {
  return {
    id: r.id,
    startedAt: r.startedAt.toISOString(),
    durationMs: r.durationMs,
    dryRun: r.dryRun,
    graceSeconds: r.graceSeconds,
    linksDeleted: r.linksDeleted,
    blobsDeleted: r.blobsDeleted,
    bytesFreed: r.bytesFreed,
    replica: r.holder,
    error: r.error,
  };
}
