// A real HTTP webhook receiver for tests: records every request (headers, raw body, arrival time) and
// answers each one as the test's script says (a status, optional headers), 200 by default.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { eventually } from './registry-auth.js';

/** One request a receiver got. */
export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  at: number;
  /** The status the receiver answered. */
  status: number;
}

/** How to answer the next request. */
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number };

/** A listening receiver. */
export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedHook[];
  /** Answers are taken from this queue first; when it is empty, `fallback` answers. */
  answers: Answer[];
  fallback: Answer;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 (on `port` when given, to come back on the same address). */
export async function startReceiver(port = 0): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: '', port: 0, received: [], answers: [], fallback: { status: 200 }, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = receiver.answers.shift() ?? receiver.fallback;
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      receiver.received.push({ headers: req.headers, body, json, at: Date.now(), status: answer.status });
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end('ok');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/**
 * Verifies a request's Standard Webhooks signature with `secret`, independently of Berth's code:
 * HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>", base64, in `webhook-signature: v1,<sig>`.
 */
export function signatureValid(hook: ReceivedHook, secret: string): boolean {
  const id = String(hook.headers['webhook-id']);
  const timestamp = String(hook.headers['webhook-timestamp']);
  const expected = Buffer.from(`v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${hook.body}`).digest('base64')}`);
  return String(hook.headers['webhook-signature'] ?? '')
    .split(' ')
    .some((sig) => sig.length === expected.length && timingSafeEqual(Buffer.from(sig), expected));
}

/** Polls until `probe` holds, or fails with `what` after `timeoutMs` (eventually, for a plain condition). */
export async function waitFor(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => (probe() ? true : undefined), what, timeoutMs);
}
