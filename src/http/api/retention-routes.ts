// Berth's REST API for tag retention, as a routes table: a project's policy (read, replace, remove)
// and its runs (start one, possibly dry; list them; read one with its per-artifact decisions).
// Reading needs `retention.read` (every member), changing or running `retention.manage`.
import { z } from 'zod';
import type { AccessService } from '../../core/access/access-service.js';
import { operatorName, type Action, type Principal } from '../../core/access/permissions.js';
import type { Decision } from '../../core/retention/decide.js';
import { MAX_PARAM, MAX_RULES, TEMPLATES, type RetentionPolicy } from '../../core/retention/policy.js';
import type { RetentionService } from '../../core/retention/retention-service.js';
import type { RunRecord, StoredPolicy } from '../../core/retention/retention-store.js';
import { route, type ApiRoute } from './route.js';

/** What the retention routes need. */
export interface RetentionRouteDeps {
  retention: RetentionService;
  access: AccessService;
  /** With access control off, every caller may do everything. */
  authEnabled: boolean;
}

const project = z.object({ project: z.string().min(1).max(255) });
const runId = z.object({ project: z.string().min(1).max(255), id: z.coerce.number().int().positive() });
const pattern = z.string().min(1).max(256);
const rule = z.object({
  disabled: z.boolean().default(false),
  template: z.enum(TEMPLATES),
  params: z.record(z.string(), z.number().int().min(1).max(MAX_PARAM)).default({}),
  tagSelector: z.object({ decoration: z.enum(['matches', 'excludes']), pattern, untagged: z.boolean().optional() }).strict(),
  repositorySelector: z.object({ decoration: z.enum(['repoMatches', 'repoExcludes']), pattern }).strict(),
}).strict();
const schedule = z.union([
  z.object({ intervalHours: z.number().positive().max(24 * 366) }).strict(),
  z.object({ cron: z.string() }).strict().refine(() => false, { message: 'cron schedules are not supported (Berth ships no cron parser); use intervalHours' }),
]);
/** The body of PUT .../retention. */
export const policyBody = z.object({
  rules: z.array(rule).max(MAX_RULES, `a policy holds at most ${MAX_RULES} rules`),
  schedule: schedule.nullable().optional(),
  enabled: z.boolean().default(true),
}).strict();
const runBody = z.object({ dryRun: z.boolean().default(false) }).strict();
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) });
const runQuery = z.object({ limit: z.coerce.number().int().min(1).max(100_000).default(10_000) });

/** The retention routes. */
export function retentionRoutes(deps: RetentionRouteDeps): ApiRoute[] {
  const { retention } = deps;
  const allow = async (principal: Principal, name: string, action: Action) => {
    if (!deps.authEnabled) return;
    await deps.access.getProject(principal, name);
    await deps.access.require(principal, name, action);
  };
  const base = '/api/v1/projects/:project/retention';
  return [
    route({ method: 'GET', url: base, permission: 'authenticated', schema: { params: project },
      handler: async ({ principal, params }) => {
        await allow(principal, params.project, 'retention.read');
        return policyView(await retention.getPolicy(params.project));
      } }),
    route({ method: 'PUT', url: base, permission: 'authenticated', schema: { params: project, body: policyBody },
      handler: async ({ principal, params, body }) => {
        await allow(principal, params.project, 'retention.manage');
        const policy: RetentionPolicy = { rules: body.rules, enabled: body.enabled, ...(body.schedule && 'intervalHours' in body.schedule ? { schedule: { intervalHours: body.schedule.intervalHours } } : {}) };
        return policyView(await retention.setPolicy(params.project, policy, operatorName(principal)));
      } }),
    route({ method: 'DELETE', url: base, permission: 'authenticated', status: 204, schema: { params: project },
      handler: async ({ principal, params }) => {
        await allow(principal, params.project, 'retention.manage');
        await retention.deletePolicy(params.project);
      } }),
    route({ method: 'POST', url: `${base}/runs`, permission: 'authenticated', status: 202, schema: { params: project, body: runBody },
      handler: async ({ principal, params, body }) => {
        await allow(principal, params.project, 'retention.manage');
        return runView(await retention.startRun(params.project, { dryRun: body.dryRun, operator: operatorName(principal) }));
      } }),
    route({ method: 'GET', url: `${base}/runs`, permission: 'authenticated', schema: { params: project, query: listQuery },
      handler: async ({ principal, params, query }) => {
        await allow(principal, params.project, 'retention.read');
        return (await retention.listRuns(params.project, query.limit)).map(runView);
      } }),
    route({ method: 'GET', url: `${base}/runs/:id`, permission: 'authenticated', schema: { params: runId, query: runQuery },
      handler: async ({ principal, params, query }) => {
        await allow(principal, params.project, 'retention.read');
        const run = await retention.getRun(params.project, params.id, query.limit);
        return { ...runView(run), decisions: run.decisions.map(decisionView) };
      } }),
  ];
}

/** A policy as the API shows it. */
function policyView(s: StoredPolicy) {
  return { project: s.project, enabled: s.policy.enabled, schedule: s.policy.schedule ?? null, rules: s.policy.rules, updatedAt: s.updatedAt.toISOString(), updatedBy: s.updatedBy };
}

/** A run as the API shows it. */
function runView(r: RunRecord) {
  return {
    id: r.id, project: r.project, status: r.status, dryRun: r.dryRun, trigger: r.trigger, operator: r.operator, replica: r.holder.replace(/#\d+$/, ''),
    startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null, counts: r.counts, error: r.error,
  };
}

/** One decision as the API shows it. */
function decisionView(d: Decision) {
  return { repository: d.repository, digest: d.digest, tags: d.tags, pushedAt: d.pushedAt.toISOString(), action: d.action, rule: d.rule, reason: d.reason };
}
