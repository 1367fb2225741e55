// Berth's REST API for webhooks, as a routes table: project and system-wide policies, the delivery
// log, redelivery and test events. Secrets and auth headers are write-only.
import { z } from 'zod';
import type { AccessService } from '../../core/access/access-service.js';
import { operatorName, type Principal } from '../../core/access/permissions.js';
import type { WebhookCaller, WebhookService } from '../../core/events/webhook-service.js';
import type { DeliveryRecord, WebhookPolicy } from '../../core/ports/webhook-store.js';
import { route, type ApiRoute } from './route.js';

/** What the webhook routes need. */
export interface WebhookRouteDeps {
  webhooks: WebhookService;
  access: AccessService;
  /** With access control off, every caller may manage every webhook. */
  authEnabled: boolean;
}

const project = z.object({ project: z.string() });
const policyId = z.object({ id: z.coerce.number().int().positive() });
const deliveryId = z.object({ id: z.coerce.number().int().positive(), delivery: z.coerce.number().int().positive() });
const format = z.enum(['default', 'cloudevents']);
const createBody = z.object({
  name: z.string().optional(),
  url: z.string(),
  events: z.array(z.string()).min(1),
  format: format.optional(),
  secret: z.string().nullable().optional(),
  authHeader: z.string().nullable().optional(),
  enabled: z.boolean().optional(),
}).strict();
const updateBody = createBody.partial().strict();
const deliveryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().positive().optional(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
});

/** The webhook routes. */
export function webhookRoutes(deps: WebhookRouteDeps): ApiRoute[] {
  const { webhooks } = deps;
  const caller = (principal: Principal): WebhookCaller => ({
    actor: operatorName(principal),
    may: async (p, action) => {
      if (!deps.authEnabled) return true;
      if (principal.kind === 'user' && principal.sysadmin) return true;
      return p !== null && deps.access.can(principal, p, action);
    },
  });
  return [
    route({ method: 'GET', url: '/api/v1/projects/:project/webhooks', permission: 'authenticated', schema: { params: project },
      handler: async ({ principal, params }) => (await webhooks.list(caller(principal), params.project)).map(policyView) }),
    route({ method: 'POST', url: '/api/v1/projects/:project/webhooks', permission: 'authenticated', status: 201, schema: { params: project, body: createBody },
      handler: async ({ principal, params, body }) => {
        if (deps.authEnabled) await deps.access.getProject(principal, params.project);
        return policyView(await webhooks.create(caller(principal), params.project, body));
      } }),
    route({ method: 'GET', url: '/api/v1/system/webhooks', permission: 'authenticated',
      handler: async ({ principal }) => (await webhooks.list(caller(principal), null)).map(policyView) }),
    route({ method: 'POST', url: '/api/v1/system/webhooks', permission: 'authenticated', status: 201, schema: { body: createBody },
      handler: async ({ principal, body }) => policyView(await webhooks.create(caller(principal), null, body)) }),
    route({ method: 'GET', url: '/api/v1/webhooks/:id', permission: 'authenticated', schema: { params: policyId },
      handler: async ({ principal, params }) => policyView(await webhooks.get(caller(principal), params.id)) }),
    route({ method: 'PATCH', url: '/api/v1/webhooks/:id', permission: 'authenticated', schema: { params: policyId, body: updateBody },
      handler: async ({ principal, params, body }) => policyView(await webhooks.update(caller(principal), params.id, body)) }),
    route({ method: 'DELETE', url: '/api/v1/webhooks/:id', permission: 'authenticated', status: 204, schema: { params: policyId },
      handler: async ({ principal, params }) => webhooks.remove(caller(principal), params.id) }),
    route({ method: 'GET', url: '/api/v1/webhooks/:id/deliveries', permission: 'authenticated', schema: { params: policyId, query: deliveryQuery },
      handler: async ({ principal, params, query }) => (await webhooks.deliveries(caller(principal), params.id, { limit: query.limit, beforeId: query.before, status: query.status })).map(deliveryView) }),
    route({ method: 'POST', url: '/api/v1/webhooks/:id/deliveries/:delivery/redeliver', permission: 'authenticated', status: 202, schema: { params: deliveryId },
      handler: async ({ principal, params }) => deliveryView(await webhooks.redeliver(caller(principal), params.id, params.delivery)) }),
    route({ method: 'POST', url: '/api/v1/webhooks/:id/test', permission: 'authenticated', schema: { params: policyId },
      handler: async ({ principal, params }) => {
        const result = await webhooks.test(caller(principal), params.id);
        return { success: result.success, delivery: deliveryView(result.delivery) };
      } }),
  ];
}

/** A policy as the API shows it: secrets replaced by whether they are set. */
export function policyView(p: WebhookPolicy) {
  return {
    id: p.id,
    project: p.project,
    name: p.name,
    url: p.url,
    events: p.events,
    format: p.format,
    hasSecret: p.secret !== null,
    hasAuthHeader: p.authHeader !== null,
    enabled: p.enabled,
    createdBy: p.createdBy,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/** A delivery as the API shows it. */
export function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    policyId: d.policyId,
    eventId: d.event.id,
    eventType: d.event.type,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastLatencyMs: d.lastLatencyMs,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    event: { id: d.event.id, type: d.event.type, project: d.event.project, operator: d.event.operator, occurredAt: d.event.occurredAt.toISOString(), data: d.event.data },
  };
}
