// HTTP over node:http for tests that must control bytes on the wire: request bodies streamed from an
// async source with backpressure (fetch would buffer or hide timing), one connection per request so a
// killed server fails exactly the requests that were in flight, and response bodies read as streams.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** A request to send. */
export interface StreamRequest {
  method: string;
  headers?: Record<string, string | number>;
  /** Bytes, or an async source written chunk by chunk as the socket drains. */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
}

/** A response whose (small) body was read whole. */
export interface BufferedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends a request and resolves with the response stream once headers arrive (the body unread). */
export function openRequest(url: string, req: StreamRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(url, { method: req.method, headers: req.headers, agent: false });
    r.once('response', resolve);
    r.on('error', reject);
    writeBody(r, req.body).catch((err: unknown) => r.destroy(err as Error));
  });
}

/** Sends a request and reads the whole response body. */
export async function sendRequest(url: string, req: StreamRequest): Promise<BufferedResponse> {
  const res = await openRequest(url, req);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}

async function writeBody(r: ReturnType<typeof httpRequest>, body: StreamRequest['body']): Promise<void> {
  if (body === undefined) {
    r.end();
    return;
  }
  if (body instanceof Uint8Array) {
    r.end(body);
    return;
  }
  for await (const chunk of body) {
    if (r.destroyed) return;
    if (!r.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          r.off('drain', done).off('close', done);
          resolve();
        };
        r.on('drain', done).on('close', done);
      });
    }
  }
  r.end();
}
