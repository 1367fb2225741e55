// Serves the web UI (built by `npm run build` into dist/web) at /ui/: a handful of static files read
// once at start, each registered as its own route (no wildcard, so no other surface's route can be
// shadowed; `ui` is also a reserved project name). Every UI response carries
// a strict Content-Security-Policy (no inline script or style); hashed assets are immutable,
// index.html is revalidated on every load. `/` redirects browsers (Accept: text/html) to /ui/.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What the UI plugin needs: the folder holding the built UI (index.html and assets/). */
export interface UiPluginDeps {
  root: string;
}

/** The Content-Security-Policy of every UI response: same-origin scripts, styles and fetches only. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Names esbuild gives hashed outputs (`app-4F2KX7QZ.js`): safe to cache forever. */
const HASHED = /-[A-Z0-9]{8,}\.[a-z]+$/;

interface UiFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

/** Registers the UI routes; without a built UI, /ui/ answers 503 saying how to build it. */
export async function uiPlugin(app: FastifyInstance, deps: UiPluginDeps): Promise<void> {
  const files = await loadFiles(deps.root).catch((err: unknown) => {
    app.log.warn({ err, root: deps.root }, 'the web UI is not built (run npm run build); /ui/ answers 503');
    return new Map<string, UiFile>();
  });
  const index = files.get('index.html');

  app.get('/', async (req, reply) => {
    if (acceptsHtml(req)) return reply.redirect('/ui/', 302);
    return reply.code(404).send({ errors: [{ code: 'NOT_FOUND', message: 'no route GET /' }] });
  });
  app.get('/ui', async (_req, reply) => reply.redirect('/ui/', 301));
  const serveIndex = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!index) return securityHeaders(reply).code(503).type('text/plain; charset=utf-8').send('The web UI is not built: run `npm run build`.\n');
    return send(req, reply, index);
  };
  app.route({ method: ['GET', 'HEAD'], url: '/ui/', handler: serveIndex, exposeHeadRoute: false });
  for (const [path, file] of files) {
    app.route({ method: ['GET', 'HEAD'], url: `/ui/${path}`, handler: async (req, reply) => send(req, reply, file), exposeHeadRoute: false });
  }
}

function send(req: FastifyRequest, reply: FastifyReply, file: UiFile): FastifyReply {
  securityHeaders(reply).header('etag', file.etag).header('cache-control', file.cacheControl);
  if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
  reply.type(file.type).header('content-length', file.body.length);
  return reply.send(req.method === 'HEAD' ? undefined : file.body);
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

function acceptsHtml(req: FastifyRequest): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

/** Every file under `root`, keyed by its URL path relative to /ui/. */
async function loadFiles(root: string): Promise<Map<string, UiFile>> {
  const files = new Map<string, UiFile>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const path = relative(root, full).split(sep).join('/');
    const type = TYPES[extname(path)];
    if (!type || !/^[A-Za-z0-9._/-]+$/.test(path)) continue;
    const body = await readFile(full);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const cacheControl = path !== 'index.html' && HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache';
    files.set(path, { body, type, etag, cacheControl });
  }
  if (!files.has('index.html')) throw new Error(`no index.html in ${root}`);
  return files;
}
