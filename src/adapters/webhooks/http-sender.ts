// Sends webhook requests with fetch: a POST per attempt, a hard timeout, redirects not followed (a
// 3xx counts as an answer), and the response body drained but never read into the log.
import type { WebhookRequest } from '../../core/events/webhook-payloads.js';
import type { WebhookResponse, WebhookSender } from '../../core/ports/webhook-sender.js';

/** A WebhookSender on the platform's fetch. */
export const httpWebhookSender: WebhookSender = {
  async send(request: WebhookRequest, timeoutMs: number): Promise<WebhookResponse> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal });
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined };
    } catch (err) {
      if (signal.aborted) throw new Error(`no answer within ${timeoutMs} ms`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)));
    }
  },
};
