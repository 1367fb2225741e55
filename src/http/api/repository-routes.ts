// Berth's REST API for a project's repositories and artifacts, Harbor's layout as a routes table:
// /api/v1/projects/:project/repositories[/:repository[/artifacts[/:reference]]]. A repository is named
// without its project prefix, further slashes encoded as %2F. Listings are paged with page/page_size
// and answer X-Total-Count and an RFC 8288 Link header. Reading needs pull access (anyone, in a public
// project); deleting needs `delete` (a tag only: `tag.delete`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Artifact, ArtifactCatalog, ArtifactReference } from '../../core/oci/artifact-catalog.js';
import type { RepositorySummary } from '../../core/ports/registry-store.js';
import { policyCallers, type PolicyCallerDeps } from './policy-caller.js';
import { route, type ApiRoute } from './route.js';

/** What the repository routes need. */
export interface RepositoryRouteDeps extends PolicyCallerDeps {
  catalog: ArtifactCatalog;
}

/** Largest page_size accepted. */
export const MAX_PAGE_SIZE = 100;

const name = z.string().min(1).max(255);
const project = z.object({ project: name });
const repository = project.extend({ repository: name });
const artifact = repository.extend({ reference: z.string().min(1).max(300) });
const paging = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(10),
};
const repositoryQuery = z.object({ ...paging, q: z.string().max(255).optional() });
const artifactQuery = z.object({ ...paging, with_tag: z.enum(['true', 'false']).default('true') });

/** The repository and artifact routes. */
export function repositoryRoutes(deps: RepositoryRouteDeps): ApiRoute[] {
  const { catalog } = deps;
  const caller = policyCallers(deps);
  const base = '/api/v1/projects/:project/repositories';
  return [
    route({ method: 'GET', url: base, permission: 'public', schema: { params: project, query: repositoryQuery },
      handler: async ({ principal, params, query, req, reply }) => {
        const listed = await catalog.listRepositories(caller(principal), params.project, { page: query.page, pageSize: query.page_size }, query.q);
        paged(req, reply, listed.total, query.page, query.page_size);
        return listed.items.map(repositoryView(params.project));
      } }),
    route({ method: 'GET', url: `${base}/:repository`, permission: 'public', schema: { params: repository },
      handler: async ({ principal, params }) => repositoryView(params.project)(await catalog.getRepository(caller(principal), params.project, params.repository)) }),
    route({ method: 'DELETE', url: `${base}/:repository`, permission: 'authenticated', status: 204, schema: { params: repository },
      handler: async ({ principal, params }) => catalog.deleteRepository(caller(principal), params.project, params.repository) }),

    route({ method: 'GET', url: `${base}/:repository/artifacts`, permission: 'public', schema: { params: repository, query: artifactQuery },
      handler: async ({ principal, params, query, req, reply }) => {
        const listed = await catalog.listArtifacts(caller(principal), params.project, params.repository, { page: query.page, pageSize: query.page_size });
        paged(req, reply, listed.total, query.page, query.page_size);
        return listed.items.map((a) => artifactView(a, query.with_tag === 'true'));
      } }),
    route({ method: 'GET', url: `${base}/:repository/artifacts/:reference`, permission: 'public', schema: { params: artifact },
      handler: async ({ principal, params }) => {
        const found = await catalog.getArtifact(caller(principal), params.project, params.repository, params.reference);
        return { ...artifactView(found, true), references: found.references.map(referenceView) };
      } }),
    route({ method: 'DELETE', url: `${base}/:repository/artifacts/:reference`, permission: 'authenticated', status: 204, schema: { params: artifact },
      handler: async ({ principal, params }) => catalog.deleteArtifact(caller(principal), params.project, params.repository, params.reference) }),
  ];
}

/** Sets X-Total-Count and the Link header (prev/next) of a page of `total` items. */
function paged(req: FastifyRequest, reply: FastifyReply, total: number, page: number, pageSize: number): void {
  reply.header('x-total-count', String(total));
  const url = new URL(req.url, 'http://berth.invalid');
  const at = (p: number) => {
    url.searchParams.set('page', String(p));
    url.searchParams.set('page_size', String(pageSize));
    return `<${url.pathname}${url.search}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(Math.min(page - 1, Math.max(1, Math.ceil(total / pageSize))))}; rel="prev"`);
  if (page * pageSize < total) links.push(`${at(page + 1)}; rel="next"`);
  if (links.length > 0) reply.header('link', links.join(', '));
}

/** A repository as the API shows it: its name without the project prefix. */
const repositoryView = (project: string) => (r: RepositorySummary) => ({
  name: r.name.slice(project.length + 1),
  fullName: r.name,
  artifactCount: r.artifactCount,
  tagCount: r.tagCount,
  updatedAt: r.updatedAt.toISOString(),
});

/** An artifact as the API shows it. */
export function artifactView(a: Artifact, withTags: boolean) {
  return {
    digest: a.digest,
    mediaType: a.mediaType,
    artifactType: a.artifactType ?? null,
    size: a.totalSize,
    manifestSize: a.size,
    pushedAt: a.createdAt.toISOString(),
    pulledAt: a.pulledAt?.toISOString() ?? null,
    ...(withTags ? { tags: a.tags.map((t) => ({ name: t.name, pushedAt: t.pushedAt.toISOString(), immutable: t.immutable })) } : {}),
    subject: a.subject ?? null,
    ...(a.modelVersion ? { modelVersion: a.modelVersion } : {}),
  };
}

function referenceView(r: ArtifactReference) {
  return { digest: r.digest, size: r.size, mediaType: r.mediaType, kind: r.kind, ...(r.filepath !== undefined ? { filepath: r.filepath } : {}) };
}
