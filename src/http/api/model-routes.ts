// Berth's own REST API for models, as a routes table: listing and search, model and version details,
// archive and real delete, model cards, aliases (move, history, rollback) and lineage both ways.
// A model is addressed as /api/v1/models/<project>/<model>; encode further slashes as %2F.
import { z } from 'zod';
import type { AccessService } from '../../core/access/access-service.js';
import type { Lineage, ModelLineage } from '../../core/models/model-lineage.js';
import type { ModelAliases } from '../../core/models/model-aliases.js';
import type { ModelService } from '../../core/models/model-service.js';
import { LINEAGE_RELATIONS } from '../../core/ports/model-store.js';
import { modelAccessFor } from '../auth/model-access.js';
import { aliasEventView, aliasView, lineageLinkView, modelView, versionView } from './model-views.js';
import { route, type ApiRoute } from './route.js';

/** The services behind the model routes. */
export interface ModelRouteDeps {
  models: ModelService;
  aliases: ModelAliases;
  lineage: ModelLineage;
  access: AccessService;
  /** False when access control is off: every caller may do everything. */
  authEnabled: boolean;
}

const model = z.object({ project: z.string(), model: z.string() });
const version = model.extend({ version: z.string() });
const alias = model.extend({ alias: z.string() });
const nameOf = (p: { project: string; model: string }) => `${p.project}/${p.model}`;
const limit = z.coerce.number().int().min(1).max(1000).default(100);
const BASE = '/api/v1/models/:project/:model';
const pick = (v: { name: string | null; state: string | null }) => ({ name: v.name, state: v.state });

/** The model routes. */
export function modelRoutes(deps: ModelRouteDeps): ApiRoute[] {
  const { models, aliases, lineage } = deps;
  const acc = (ctx: { principal: Parameters<typeof modelAccessFor>[0]; req: { headers: { host?: string | undefined } } }) => modelAccessFor(ctx.principal, deps.access, ctx.req.headers.host, deps.authEnabled);
  const lineageView = async (l: Lineage) => {
    const parents = [...l.upstream, ...l.downstream].map((x) => x.entity.parentId).filter((id): id is number => id !== null);
    const names = new Map((await models.store.getEntities(parents)).map((e) => [e.id, e.name]));
    return { entity: { id: String(l.entity.id), kind: l.entity.kind, name: l.entity.name }, upstream: l.upstream.map((x) => lineageLinkView(x, names)), downstream: l.downstream.map((x) => lineageLinkView(x, names)) };
  };
  const describe = async (ctx: Parameters<typeof acc>[0], name: string) => {
    const m = await models.model(acc(ctx), name);
    return { ...modelView(m), versions: (await models.versions(m)).map(versionView), aliases: (await aliases.list(acc(ctx), name)).map(aliasView) };
  };

  return [
    route({ method: 'GET', url: '/api/v1/models', permission: 'public',
      schema: { query: z.object({ q: z.string().max(200).optional(), project: z.string().optional(), state: z.enum(['LIVE', 'ARCHIVED', 'all']).default('LIVE'), limit }) },
      handler: async (ctx) => (await models.listModels(acc(ctx), { text: ctx.query.q, project: ctx.query.project, state: ctx.query.state, limit: ctx.query.limit })).map(modelView) }),
    route({ method: 'GET', url: BASE, permission: 'public', schema: { params: model }, handler: async (ctx) => describe(ctx, nameOf(ctx.params)) }),
    route({ method: 'DELETE', url: BASE, permission: 'authenticated', schema: { params: model }, handler: async (ctx) => models.deleteModel(acc(ctx), nameOf(ctx.params)) }),
    route({ method: 'POST', url: `${BASE}/archive`, permission: 'authenticated', schema: { params: model },
      handler: async (ctx) => modelView(await models.setArchived(acc(ctx), nameOf(ctx.params), null, true)) }),
    route({ method: 'POST', url: `${BASE}/restore`, permission: 'authenticated', schema: { params: model },
      handler: async (ctx) => modelView(await models.setArchived(acc(ctx), nameOf(ctx.params), null, false)) }),

    route({ method: 'GET', url: `${BASE}/versions/:version`, permission: 'public', schema: { params: version },
      handler: async (ctx) => versionView(await models.versionDetail(acc(ctx), nameOf(ctx.params), ctx.params.version)) }),
    route({ method: 'DELETE', url: `${BASE}/versions/:version`, permission: 'authenticated', schema: { params: version },
      handler: async (ctx) => models.deleteVersion(acc(ctx), nameOf(ctx.params), ctx.params.version) }),
    route({ method: 'POST', url: `${BASE}/versions/:version/archive`, permission: 'authenticated', schema: { params: version },
      handler: async (ctx) => pick(await models.setArchived(acc(ctx), nameOf(ctx.params), ctx.params.version, true)) }),
    route({ method: 'POST', url: `${BASE}/versions/:version/restore`, permission: 'authenticated', schema: { params: version },
      handler: async (ctx) => pick(await models.setArchived(acc(ctx), nameOf(ctx.params), ctx.params.version, false)) }),
    route({ method: 'GET', url: `${BASE}/versions/:version/card`, permission: 'public', schema: { params: version },
      handler: async (ctx) => {
        const card = await models.card(acc(ctx), nameOf(ctx.params), ctx.params.version);
        return { path: card.path, digest: card.digest, text: card.text };
      } }),

    route({ method: 'GET', url: `${BASE}/versions/:version/lineage`, permission: 'public', schema: { params: version },
      handler: async (ctx) => lineageView(await lineage.ofVersion(acc(ctx), nameOf(ctx.params), ctx.params.version)) }),
    route({ method: 'POST', url: `${BASE}/versions/:version/lineage`, permission: 'authenticated', status: 201,
      schema: {
        params: version,
        body: z.object({
          relation: z.enum(LINEAGE_RELATIONS),
          target: z.union([z.object({ model: z.string(), version: z.string() }).strict(), z.object({ id: z.union([z.string().regex(/^[1-9][0-9]{0,8}$/), z.number().int().positive()]) }).strict()]),
        }).strict(),
      },
      handler: async (ctx) => {
        const target = 'id' in ctx.body.target ? { id: Number(ctx.body.target.id) } : ctx.body.target;
        const link = await lineage.add(acc(ctx), nameOf(ctx.params), ctx.params.version, ctx.body.relation, target);
        const parent = link.entity.parentId === null ? null : await models.store.getEntity(link.entity.parentId);
        return lineageLinkView(link, new Map(parent ? [[parent.id, parent.name]] : []));
      } }),
    route({ method: 'DELETE', url: `${BASE}/versions/:version/lineage/:edge`, permission: 'authenticated', status: 204,
      schema: { params: version.extend({ edge: z.coerce.number().int().positive() }) },
      handler: async (ctx) => lineage.remove(acc(ctx), nameOf(ctx.params), ctx.params.version, ctx.params.edge) }),
    route({ method: 'GET', url: '/api/v1/lineage/:id', permission: 'public', schema: { params: z.object({ id: z.coerce.number().int().positive() }) },
      handler: async (ctx) => lineageView(await lineage.ofEntity(acc(ctx), ctx.params.id)) }),

    route({ method: 'GET', url: `${BASE}/aliases`, permission: 'public', schema: { params: model }, handler: async (ctx) => (await aliases.list(acc(ctx), nameOf(ctx.params))).map(aliasView) }),
    route({ method: 'GET', url: `${BASE}/alias-history`, permission: 'public', schema: { params: model, query: z.object({ limit }) },
      handler: async (ctx) => (await aliases.history(acc(ctx), nameOf(ctx.params), null, ctx.query.limit)).map(aliasEventView) }),
    route({ method: 'GET', url: `${BASE}/aliases/:alias`, permission: 'public', schema: { params: alias }, handler: async (ctx) => aliasView(await aliases.get(acc(ctx), nameOf(ctx.params), ctx.params.alias)) }),
    route({ method: 'PUT', url: `${BASE}/aliases/:alias`, permission: 'authenticated',
      schema: { params: alias, body: z.object({ version: z.string(), expect: z.string().nullable().optional() }).strict() },
      handler: async (ctx) => aliasEventView(await aliases.set(acc(ctx), nameOf(ctx.params), ctx.params.alias, ctx.body.version, ctx.body.expect)) }),
    route({ method: 'DELETE', url: `${BASE}/aliases/:alias`, permission: 'authenticated', schema: { params: alias },
      handler: async (ctx) => aliasEventView(await aliases.remove(acc(ctx), nameOf(ctx.params), ctx.params.alias)) }),
    route({ method: 'GET', url: `${BASE}/aliases/:alias/history`, permission: 'public', schema: { params: alias, query: z.object({ limit }) },
      handler: async (ctx) => (await aliases.history(acc(ctx), nameOf(ctx.params), ctx.params.alias, ctx.query.limit)).map(aliasEventView) }),
    route({ method: 'POST', url: `${BASE}/aliases/:alias/rollback`, permission: 'authenticated', schema: { params: alias },
      handler: async (ctx) => aliasEventView(await aliases.rollback(acc(ctx), nameOf(ctx.params), ctx.params.alias)) }),
  ];
}
