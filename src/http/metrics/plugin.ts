// GET /metrics (Prometheus text, unauthenticated like /healthz) and the hooks that feed it: every
// request counted by surface, route pattern, method and status; body bytes counted as they stream
// (nothing is buffered); OCI upload sessions counted as they open, complete or are cancelled.
// Register it on the root instance, before the surfaces, so its hooks see every route.
// https://prometheus.io/docs/instrumenting/exposition_formats/
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cancelUpload, completeUpload, startUpload, type OciHandler } from '../oci/handlers.js';
import { surfaceOf, type SurfaceName } from './surfaces.js';

/** What the HTTP layer records; the metrics adapter implements it. */
export interface HttpMetrics {
  /** Counts a finished request. */
  request(r: { surface: SurfaceName; route: string; method: string; status: number; seconds: number }): void;
  /** A counter of request body bytes on `surface`. */
  receivedOn(surface: SurfaceName): (bytes: number) => void;
  /** A counter of response body bytes on `surface`. */
  sentOn(surface: SurfaceName): (bytes: number) => void;
  /** Counts an upload session event. */
  upload(event: 'started' | 'completed' | 'cancelled'): void;
  /** The exposition: content type and text. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

declare module 'fastify' {
  interface FastifyRequest {
    metricsSurface?: SurfaceName;
  }
}

const UPLOAD_EVENTS = new Map<OciHandler, { status: number; event: 'started' | 'completed' | 'cancelled' }>([
  [startUpload, { status: 202, event: 'started' }],
  [completeUpload, { status: 201, event: 'completed' }],
  [cancelUpload, { status: 204, event: 'cancelled' }],
]);

/** Adds the hooks and the /metrics route to the root instance. */
export function metricsPlugin(app: FastifyInstance, metrics: HttpMetrics): void {
  app.addHook('onRequest', (req, reply, done) => {
    const surface = surfaceOf(req.routeOptions.url ?? req.url.split('?', 1)[0]!);
    req.metricsSurface = surface;
    countReceived(req.raw, metrics.receivedOn(surface));
    if (req.method !== 'HEAD') countSent(reply.raw, metrics.sentOn(surface));
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    metrics.request({ surface: req.metricsSurface ?? 'other', route: routeOf(req), method: req.method, status, seconds: reply.elapsedTime / 1000 });
    const upload = req.ociRoute && UPLOAD_EVENTS.get(req.ociRoute.route.handler);
    if (upload && upload.status === status) metrics.upload(upload.event);
    done();
  });
  app.get('/metrics', async (_req: FastifyRequest, reply: FastifyReply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}

/** The route pattern: the OCI handler's name (that table matches regular expressions), else Fastify's pattern. */
function routeOf(req: FastifyRequest): string {
  if (req.ociRoute) return req.ociRoute.route.handler.name || 'oci';
  return req.routeOptions.url ?? 'unmatched';
}

/** Counts body bytes as the parser hands them over (plus any already buffered), without reading them. */
function countReceived(raw: IncomingMessage, count: (bytes: number) => void): void {
  if (raw.readableLength > 0) count(raw.readableLength);
  const push = raw.push;
  raw.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
    if (chunk !== null && chunk !== undefined) count(byteLength(chunk, encoding));
    return push.call(this, chunk, encoding);
  };
}

/** Counts body bytes as the response writes them. */
function countSent(res: ServerResponse, count: (bytes: number) => void): void {
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    count(byteLength(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined));
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') count(byteLength(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined));
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
}

function byteLength(chunk: unknown, encoding?: BufferEncoding): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, encoding ?? 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}
