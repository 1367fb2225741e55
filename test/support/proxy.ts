// An HTTP proxy in front of a registry for fault tests: counts upload bytes per request, can slow
// uploads down, fail chosen requests, or flip a byte of blob downloads.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { Transform } from 'node:stream';
import { freePort } from './ports.js';

/** What the proxy does to traffic; change it between steps of a test. */
export interface ProxyRules {
  /** Delay in ms after each body chunk of an upload (PATCH/PUT/POST under /blobs/uploads/). */
  uploadDelayMs?: number;
  /** Answer this request with a 500 instead of forwarding it (without reading further). */
  fail?: (req: IncomingMessage) => boolean;
  /** Flip one byte in the body of blob GETs. */
  corruptBlobs?: boolean;
}

/** A running proxy. */
export interface Proxy {
  host: string;
  rules: ProxyRules;
  /** Upload body bytes forwarded so far. */
  uploadBytes(): number;
  /** Request lines seen so far (`METHOD path`). */
  requests: string[];
  close(): Promise<void>;
}

/** Starts a proxy to `target` (host:port). */
export async function startProxy(target: string): Promise<Proxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  let uploaded = 0;
  const requests: string[] = [];
  const rules: ProxyRules = {};
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (rules.fail?.(req)) {
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNKNOWN","message":"injected failure"}]}');
      return;
    }
    const isUpload = req.url!.includes('/blobs/uploads/') && req.method !== 'GET';
    const upstream = request({ host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      const isBlobGet = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url!);
      if (rules.corruptBlobs && isBlobGet) {
        let flipped = false;
        up.pipe(
          new Transform({
            transform(chunk: Buffer, _enc, done) {
              if (!flipped && chunk.length > 0) {
                chunk[0] = chunk[0]! ^ 0xff;
                flipped = true;
              }
              done(null, chunk);
            },
          }),
        ).pipe(res);
      } else up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => {
      if (isUpload) uploaded += chunk.length;
      if (!upstream.write(chunk) || (isUpload && rules.uploadDelayMs)) {
        req.pause();
        const resume = () => setTimeout(() => req.resume(), isUpload ? (rules.uploadDelayMs ?? 0) : 0);
        if (upstream.writableNeedDrain) upstream.once('drain', resume);
        else resume();
      }
    });
    req.on('end', () => upstream.end());
    req.on('aborted', () => upstream.destroy());
    req.on('error', () => upstream.destroy());
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${port}`,
    rules,
    uploadBytes: () => uploaded,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
