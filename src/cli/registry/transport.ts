// HTTP for the CLI's registry traffic over node:http(s) with keep-alive. Not fetch: Node 20's fetch
// does not apply backpressure to streamed request bodies and buffers a whole layer in memory.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A request body: bytes, or a stream read as the socket drains. */
export type RequestBody = Buffer | string | Readable;

/** A response whose body is a Node stream (read it, or call discard()). */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: IncomingMessage;
  buffer(): Promise<Buffer>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  discard(): void;
}

const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 32 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 32 }) };

/** Sends one request; resolves when the response headers arrive. */
export async function send(method: string, url: string, headers: Record<string, string>, body?: RequestBody): Promise<HttpResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const outgoing: Record<string, string> = { ...headers };
  if (body === undefined) {
    if (method !== 'GET' && method !== 'HEAD') outgoing['content-length'] = '0';
  } else if (!(body instanceof Readable)) {
    outgoing['content-length'] = String(Buffer.byteLength(body));
  }
  const req = (secure ? httpsRequest : httpRequest)(target, { method, headers: outgoing, agent: secure ? agents.https : agents.http });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    // Errors after the response (the server closing while we still send) only end the body early.
    req.on('error', reject);
  });
  if (body instanceof Readable) {
    // A registry may answer (e.g. 401, 500) before the body is sent; its answer wins over the broken pipe.
    pipeline(body, req).catch((err: unknown) => req.destroy(err as Error));
  } else {
    req.end(body);
  }
  return wrap(await response);
}

function wrap(res: IncomingMessage): HttpResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const buffer = async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    status: res.statusCode ?? 0,
    headers,
    body: res,
    buffer,
    text: async () => (await buffer()).toString('utf8'),
    json: async () => JSON.parse((await buffer()).toString('utf8')) as unknown,
    discard: () => {
      res.resume();
    },
  };
}
