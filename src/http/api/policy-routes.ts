// Berth's REST API for project policies, as a routes table: tag immutability rules
// (/api/v1/projects/:project/immutable-rules) and storage quotas (/quota, /api/v1/quotas, and the
// usage repair). Handlers parse, call the ImmutabilityService or QuotaService, reply.
import { z } from 'zod';
import type { ImmutabilityService } from '../../core/policies/immutability-service.js';
import { DECORATIONS } from '../../core/policies/immutable-rules.js';
import type { QuotaService } from '../../core/policies/quota-service.js';
import type { ImmutableRule } from '../../core/ports/policy-store.js';
import { policyCallers, type PolicyCallerDeps } from './policy-caller.js';
import { route, type ApiRoute } from './route.js';

/** What the policy routes need. */
export interface PolicyRouteDeps extends PolicyCallerDeps {
  immutability: ImmutabilityService;
  quotas: QuotaService;
}

const project = z.object({ project: z.string() });
const rule = z.object({ project: z.string(), id: z.coerce.number().int().positive() });
const decoration = z.enum(DECORATIONS);
const pattern = z.string().min(1).max(256);
const createBody = z.object({
  repository: pattern.optional(),
  tag: pattern,
  repositoryDecoration: decoration.optional(),
  tagDecoration: decoration.optional(),
  disabled: z.boolean().optional(),
}).strict();
const updateBody = createBody.partial().strict();
const quotaBody = z.object({ hard: z.object({ storage: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).nullable() }).strict() }).strict();

/** The immutability and quota routes. */
export function policyRoutes(deps: PolicyRouteDeps): ApiRoute[] {
  const { immutability, quotas } = deps;
  const caller = policyCallers(deps);
  const base = '/api/v1/projects/:project/immutable-rules';
  return [
    route({ method: 'GET', url: base, permission: 'authenticated', schema: { params: project },
      handler: async ({ principal, params }) => (await immutability.list(caller(principal), params.project)).map(ruleView) }),
    route({ method: 'POST', url: base, permission: 'authenticated', status: 201, schema: { params: project, body: createBody },
      handler: async ({ principal, params, body }) => ruleView(await immutability.create(caller(principal), params.project, body)) }),
    route({ method: 'GET', url: `${base}/:id`, permission: 'authenticated', schema: { params: rule },
      handler: async ({ principal, params }) => ruleView(await immutability.get(caller(principal), params.project, params.id)) }),
    route({ method: 'PATCH', url: `${base}/:id`, permission: 'authenticated', schema: { params: rule, body: updateBody },
      handler: async ({ principal, params, body }) => ruleView(await immutability.update(caller(principal), params.project, params.id, body)) }),
    route({ method: 'DELETE', url: `${base}/:id`, permission: 'authenticated', status: 204, schema: { params: rule },
      handler: async ({ principal, params }) => immutability.remove(caller(principal), params.project, params.id) }),

    route({ method: 'GET', url: '/api/v1/projects/:project/quota', permission: 'public', schema: { params: project },
      handler: async ({ principal, params }) => quotas.get(caller(principal), params.project) }),
    route({ method: 'PUT', url: '/api/v1/projects/:project/quota', permission: 'sysadmin', schema: { params: project, body: quotaBody },
      handler: async ({ principal, params, body }) => quotas.set(caller(principal), params.project, body.hard.storage) }),
    route({ method: 'GET', url: '/api/v1/quotas', permission: 'sysadmin', handler: async ({ principal }) => quotas.list(caller(principal)) }),
    route({ method: 'POST', url: '/api/v1/system/quotas/recompute', permission: 'sysadmin',
      schema: { body: z.object({ project: z.string().optional() }).strict() },
      handler: async ({ principal, body }) => quotas.recompute(caller(principal), body.project) }),
  ];
}

/** A rule as the API shows it. */
export function ruleView(r: ImmutableRule) {
  return {
    id: r.id,
    project: r.project,
    repository: r.repository,
    repositoryDecoration: r.repositoryDecoration,
    tag: r.tag,
    tagDecoration: r.tagDecoration,
    disabled: r.disabled,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
