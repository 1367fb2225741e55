// The benchmark's HTTP/1.1 client: keep-alive sockets, request bodies written piece by piece with
// backpressure, response bodies counted and discarded, so the client spends as little CPU as it can
// on the machine it shares with the server under test.
import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** A server the client talks to over one pool of keep-alive sockets. */
export interface Endpoint {
  /** Base URL, `http://host:port`. */
  url: string;
  agent: Agent;
}

/** What came back. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** Body bytes received. */
  bytes: number;
  /** The body, when `keepBody` was asked for. */
  body?: Buffer;
}

/** A request body: bytes, or pieces written in order (the caller sets content-length). */
export type Body = Uint8Array | Iterable<Uint8Array>;

/** Options of one request. */
export interface RequestOptions {
  headers?: OutgoingHttpHeaders;
  body?: Body;
  keepBody?: boolean;
}

/** An endpoint with its own keep-alive pool of up to `maxSockets` connections. */
export function endpoint(url: string, maxSockets = 32): Endpoint {
  return { url, agent: new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }) };
}

/** Sends one request; resolves when the whole response has been read. */
export function send(ep: Endpoint, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, ep.url), { method, agent: ep.agent, headers: options.headers }, (res) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.byteLength;
        if (options.keepBody) chunks.push(chunk);
      });
      res.once('end', () => {
        const reply: Reply = { status: res.statusCode ?? 0, headers: res.headers, bytes };
        if (options.keepBody) reply.body = Buffer.concat(chunks);
        resolve(reply);
      });
      res.once('error', reject);
    });
    req.once('error', reject);
    writeBody(req, options.body).catch((err: unknown) => {
      req.destroy(err as Error);
      reject(err as Error);
    });
  });
}

/** Sends a request and throws unless it answered `status`; the reply otherwise. */
export async function expectStatus(ep: Endpoint, status: number, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const reply = await send(ep, method, path, { ...options, keepBody: true });
  if (reply.status !== status) {
    throw new Error(`${method} ${path.slice(0, 120)}: expected ${status}, got ${reply.status} ${reply.body?.toString().slice(0, 300)}`);
  }
  return reply;
}

/** The path and query of a reply's Location header (absolute or relative), for the next request. */
export function locationOf(ep: Endpoint, reply: Reply): string {
  const location = reply.headers.location;
  if (!location) throw new Error(`no Location header (status ${reply.status})`);
  const url = new URL(location, ep.url);
  return url.pathname + url.search;
}

/** `path` with `name=value` added to its query. */
export function withQuery(path: string, name: string, value: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

/** Closes the endpoint's idle sockets. */
export function closeEndpoint(ep: Endpoint): void {
  ep.agent.destroy();
}

async function writeBody(req: ClientRequest, body: Body | undefined): Promise<void> {
  if (body === undefined) {
    req.end();
    return;
  }
  if (body instanceof Uint8Array) {
    req.end(body);
    return;
  }
  for (const piece of body) {
    if (req.destroyed) return;
    if (!req.write(piece)) await drained(req);
  }
  req.end();
}

function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.on('drain', done).on('close', done);
  });
}
