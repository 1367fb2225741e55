// REST routes that render cluster manifests for a model version: a KubeAI `Model` and a KServe
// `InferenceService` that pull exactly that version from Berth's Hub API. The revision is resolved
// by the HubService (tag, alias, `main` or commit id); the caller needs pull on the project.
// YAML by default (ready for `kubectl apply -f -`), JSON with `format=json`; warnings travel as
// `Warning: 299` headers and, in YAML, as leading comments.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stringify } from 'yaml';
import { z } from 'zod';
import type { AccessService } from '../../core/access/access-service.js';
import { projectOf, type Principal } from '../../core/access/permissions.js';
import { RegistryError } from '../../core/errors.js';
import type { DeployedVersion, Rendered } from '../../core/hub/deploy-target.js';
import type { HubService } from '../../core/hub/hub-service.js';
import { renderKServe } from '../../core/hub/kserve-manifest.js';
import { KUBEAI_ENGINES, KUBEAI_FEATURES, renderKubeAIModel } from '../../core/hub/kubeai-manifest.js';
import { route, type ApiRoute } from './route.js';

/** What the deploy routes need. */
export interface DeployRoutesDeps {
  hub: HubService;
  access: AccessService;
  /** Whether access control is on (off: every repo is public and needs no Secret). */
  authEnabled: boolean;
  /** Berth's external URL for a request (the default HF_ENDPOINT). */
  baseUrl: (req: FastifyRequest) => string;
}

const params = z.object({ project: z.string(), model: z.string() });
const int = z.coerce.number().int();
const common = {
  revision: z.string().min(1).max(256).default('main'),
  name: z.string().optional(),
  namespace: z.string().optional(),
  secret: z.string().optional(),
  endpoint: z.string().optional(),
  minReplicas: int.optional(),
  maxReplicas: int.optional(),
  format: z.enum(['yaml', 'json']).default('yaml'),
};
/** A repeated or comma-separated query parameter. */
const listOf = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''));
const kubeaiQuery = z.object({
  ...common,
  engine: z.enum(KUBEAI_ENGINES).optional(),
  features: listOf.pipe(z.array(z.enum(KUBEAI_FEATURES))).optional(),
  resourceProfile: z.string().optional(),
  cacheProfile: z.string().optional(),
  arg: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v])).optional(),
});
const kserveQuery = z.object({ ...common, modelFormat: z.string().optional() });

/** The manifest-rendering routes. */
export function deployRoutes(deps: DeployRoutesDeps): ApiRoute[] {
  return [
    route({ method: 'GET', url: '/api/v1/models/:project/:model/kubeai', permission: 'public', schema: { params, query: kubeaiQuery },
      handler: async ({ principal, params: p, query, req, reply }) => {
        const version = await resolveVersion(deps, principal, p, query.revision, query.cacheProfile !== undefined);
        const endpoint = query.endpoint ?? deps.baseUrl(req);
        const rendered = renderKubeAIModel(version, { ...query, endpoint, args: query.arg });
        return send(reply, rendered, query.format, [rendered.manifest]);
      } }),
    route({ method: 'GET', url: '/api/v1/models/:project/:model/kserve', permission: 'public', schema: { params, query: kserveQuery },
      handler: async ({ principal, params: p, query, req, reply }) => {
        const version = await resolveVersion(deps, principal, p, query.revision, false);
        const rendered = renderKServe(version, { ...query, endpoint: query.endpoint ?? deps.baseUrl(req) });
        const { serviceAccount, inferenceService } = rendered.manifest;
        return send(reply, rendered, query.format, serviceAccount ? [serviceAccount, inferenceService] : [inferenceService]);
      } }),
  ];
}

/** Resolves `revision` of `<project>/<model>` for a caller allowed to pull it; a repo it may not read is "not found". */
async function resolveVersion(deps: DeployRoutesDeps, principal: Principal, p: { project: string; model: string }, revision: string, needDefault: boolean): Promise<DeployedVersion> {
  const repository = `${p.project}/${p.model}`;
  if (!(await deps.access.can(principal, projectOf(repository), 'pull'))) {
    if (principal.kind === 'anonymous') throw new RegistryError('UNAUTHORIZED', 'authentication required');
    throw new RegistryError('REPO_NOT_FOUND', `Repository not found: ${repository.slice(0, 200)}`);
  }
  const resolved = await deps.hub.resolve(repository, revision);
  if (resolved.files.length === 0) throw new RegistryError('INVALID', `${repository}:${revision.slice(0, 100)} is not a model (no ModelPack files)`);
  const defaultCommit = needDefault ? (await deps.hub.resolve(repository, 'main').catch(() => undefined))?.commit ?? '' : resolved.commit;
  const isPrivate = deps.authEnabled && !((await deps.access.projectAccess(principal, projectOf(repository)))?.public ?? false);
  return { repository, revision, commit: resolved.commit, digest: resolved.digest, defaultCommit, private: isPrivate };
}

function send(reply: FastifyReply, rendered: Rendered<unknown>, format: 'yaml' | 'json', objects: unknown[]): unknown {
  if (rendered.warnings.length > 0) reply.header('warning', rendered.warnings.map((w) => `299 berth "${w.replace(/["\\]|[^\x20-\x7e]/g, ' ')}"`));
  if (format === 'json') {
    reply.header('content-type', 'application/json; charset=utf-8');
    return objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
  }
  reply.header('content-type', 'application/yaml; charset=utf-8');
  const comments = rendered.warnings.map((w) => `# warning: ${w.replace(/[\r\n]+/g, ' ')}\n`).join('');
  return comments + objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
