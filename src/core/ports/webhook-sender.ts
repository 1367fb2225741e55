// The WebhookSender port: sends one webhook request and reports what came back, never following
// redirects. A network failure or timeout rejects.
import type { WebhookRequest } from '../events/webhook-payloads.js';

/** What a receiver answered. */
export interface WebhookResponse {
  status: number;
  retryAfter?: string | undefined;
}

/** Sends webhook requests. */
export interface WebhookSender {
  send(request: WebhookRequest, timeoutMs: number): Promise<WebhookResponse>;
}
