// Handlers of the Hub surface. Files are streamed from the same blobs the OCI view serves; resolve
// by a tag or alias answers a relative redirect to the commit-pinned URL (carrying X-Linked-Size and
// X-Linked-Etag), resolve by commit id answers the bytes, with Range support.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { listFolder, type HubFile } from '../../core/hub/hub-repo.js';
import type { HubRevision, HubService } from '../../core/hub/hub-service.js';
import { resolveRangeHeader } from '../../core/oci/range.js';
import type { Principal } from '../../core/access/permissions.js';
import { RegistryError } from '../../core/errors.js';
import { sendBlobBytes } from '../blob-sender.js';
import { directoryEntry, fileEntry, modelInfoView, sha256Hex } from './views.js';

/** What handlers receive. */
export interface HfContext {
  req: FastifyRequest;
  reply: FastifyReply;
  repository: string;
  revision: string | undefined;
  path: string;
  query: URLSearchParams;
  hub: HubService;
  principal: Principal;
  /** Whether the repo's project is private (shown as `private` in model info). */
  isPrivate: () => Promise<boolean>;
  /** Absolute base URL of this server, for `Link` headers. */
  baseUrl: string;
}

/** A Hub handler. */
export type HfHandler = (ctx: HfContext) => Promise<unknown>;

const TREE_PAGE = 1000;

/** `GET /api/models/{repo}[/revision/{rev}]`. */
export const modelInfo: HfHandler = async ({ reply, repository, revision, query, hub, isPrivate }) => {
  const resolved = await hub.resolve(repository, revision);
  const view = modelInfoView(resolved, { private: await isPrivate(), blobs: flag(query.get('blobs')), config: await hub.config(resolved) });
  return reply.header('x-repo-commit', resolved.commit).send(view);
};

/** `GET /api/models/{repo}/tree/{rev}[/{path}]`, paged with an absolute `Link` (cursor = offset). */
export const tree: HfHandler = async ({ reply, repository, revision, path, query, hub, baseUrl }) => {
  const resolved = await hub.resolve(repository, revision);
  const folder = path.replace(/\/+$/, '');
  if (folder !== '' && !resolved.files.some((f) => f.path.startsWith(`${folder}/`))) {
    hub.file(resolved, folder);
    throw new RegistryError('ENTRY_NOT_FOUND', `${folder} is a file, not a directory`, { detail: { commit: resolved.commit } });
  }
  const expand = flag(query.get('expand'));
  const entries = listFolder(resolved.files, folder, flag(query.get('recursive'))).map((e) =>
    e.type === 'file' ? fileEntry(resolved, e.file, expand) : directoryEntry(resolved, e.path, expand),
  );
  const offset = Math.max(0, Number(query.get('cursor') ?? 0) || 0);
  const page = entries.slice(offset, offset + TREE_PAGE);
  if (offset + TREE_PAGE < entries.length) {
    const next = new URLSearchParams(query);
    next.set('cursor', String(offset + TREE_PAGE));
    const tail = folder === '' ? '' : `/${folder.split('/').map(encodeURIComponent).join('/')}`;
    reply.header('link', `<${baseUrl}/api/models/${repository}/tree/${encodeURIComponent(revision ?? 'main')}${tail}?${next}>; rel="next"`);
  }
  return reply.header('x-repo-commit', resolved.commit).send(page);
};

/** `POST /api/models/{repo}/paths-info/{rev}` with a form (`paths=a&paths=b`) or JSON (`{"paths":[...]}`) body. */
export const pathsInfo: HfHandler = async ({ req, reply, repository, revision, hub }) => {
  const resolved = await hub.resolve(repository, revision);
  const { paths, expand } = pathsBody(req.body);
  const out = [];
  for (const p of paths) {
    const clean = p.replace(/^\/+|\/+$/g, '');
    const file = resolved.files.find((f) => f.path === clean);
    if (file) out.push(fileEntry(resolved, file, expand));
    else if (resolved.files.some((f) => f.path.startsWith(`${clean}/`))) out.push(directoryEntry(resolved, clean, expand));
  }
  return reply.header('x-repo-commit', resolved.commit).send(out);
};

/** `HEAD|GET /{repo}/resolve/{rev}/{path}`. */
export const resolveFile: HfHandler = async (ctx) => {
  const resolved = await ctx.hub.resolve(ctx.repository, ctx.revision);
  const file = ctx.hub.file(resolved, ctx.path);
  if (ctx.revision !== resolved.commit) {
    const location = `/${ctx.repository}/resolve/${resolved.commit}/${ctx.path.split('/').map(encodeURIComponent).join('/')}`;
    fileHeaders(ctx.reply, resolved, file);
    return ctx.reply.code(307).header('location', location).header('content-length', 0).send();
  }
  return sendFile(ctx, resolved, file);
};

/** `HEAD|GET /{repo}/raw/{rev}/{path}`: the content itself, whatever the revision. */
export const rawFile: HfHandler = async (ctx) => {
  const resolved = await ctx.hub.resolve(ctx.repository, ctx.revision);
  return sendFile(ctx, resolved, ctx.hub.file(resolved, ctx.path));
};

/** `GET /api/whoami-v2`. */
export const whoami: HfHandler = async ({ reply, principal }) => {
  if (principal.kind === 'anonymous') throw new RegistryError('UNAUTHORIZED', 'Invalid credentials in Authorization header');
  return reply.send({ type: principal.kind === 'robot' ? 'app' : 'user', name: principal.name, fullname: principal.name, auth: { type: 'access_token' } });
};

async function sendFile({ req, reply, hub }: HfContext, resolved: HubRevision, file: HubFile) {
  fileHeaders(reply, resolved, file);
  const location = req.method === 'GET' ? await hub.location(file) : null;
  if (location) return reply.code(307).header('location', location).header('content-length', 0).send();
  const range = resolveRangeHeader(req.headers.range, file.size);
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
  reply.header('content-length', end - start + 1);
  if (req.method === 'HEAD') return reply.send();
  await sendBlobBytes(reply, await hub.open(file), start, end);
  return reply;
}

function fileHeaders(reply: FastifyReply, resolved: HubRevision, file: HubFile): void {
  const etag = `"${sha256Hex(file)}"`;
  reply
    .header('x-repo-commit', resolved.commit)
    .header('etag', etag)
    .header('x-linked-etag', etag)
    .header('x-linked-size', file.size)
    .header('accept-ranges', 'bytes')
    .header('content-type', 'application/octet-stream');
}

function pathsBody(body: unknown): { paths: string[]; expand: boolean } {
  if (body instanceof URLSearchParams) return { paths: body.getAll('paths'), expand: flag(body.get('expand')) };
  if (typeof body === 'object' && body !== null) {
    const b = body as { paths?: unknown; expand?: unknown };
    const paths = Array.isArray(b.paths) ? b.paths.filter((p): p is string => typeof p === 'string') : typeof b.paths === 'string' ? [b.paths] : [];
    return { paths, expand: b.expand === true || flag(typeof b.expand === 'string' ? b.expand : null) };
  }
  throw new RegistryError('INVALID', 'paths-info needs a form or JSON body with "paths"');
}

/** Query booleans arrive as True/False (requests) or true/false (httpx, JS), or 1/0. */
function flag(value: string | null): boolean {
  return value !== null && /^(true|1)$/i.test(value);
}
