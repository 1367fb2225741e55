// When a failed delivery is tried again: exponential backoff with jitter, `Retry-After` honoured, and
// only for failures worth retrying (no answer, timeouts, 408, 429, 5xx). Pure, so tests can pin it.

/** Retry settings of the webhook dispatcher. */
export interface RetrySettings {
  /** Attempts in all, the first included; the delivery fails after the last. */
  maxAttempts: number;
  /** Delay before the second attempt; each later one doubles, before jitter. */
  baseDelayMs: number;
  /** Longest delay between attempts (also caps `Retry-After`). */
  maxDelayMs: number;
}

/** What one attempt gave. */
export type AttemptResult =
  | { kind: 'response'; status: number; retryAfter?: string | undefined }
  | { kind: 'error'; message: string };

/** The next state of a delivery after an attempt. */
export interface AttemptDecision {
  status: 'delivered' | 'pending' | 'failed';
  /** When to try again (pending only). */
  delayMs: number;
}

/** True when the attempt failed in a way a later attempt may not. */
export function isRetryable(result: AttemptResult): boolean {
  if (result.kind === 'error') return true;
  return result.status === 408 || result.status === 429 || result.status >= 500;
}

/** The backoff before attempt `attempts + 1`: base·2^(attempts-1), capped, with up to half taken off at random. */
export function backoffMs(attempts: number, settings: RetrySettings, random: () => number = Math.random): number {
  const exponential = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}

/** A Retry-After header (seconds or an HTTP date) as milliseconds from `now`, or undefined. */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Decides what happens after attempt number `attempts` (1-based) gave `result`. */
export function decideAfterAttempt(result: AttemptResult, attempts: number, settings: RetrySettings, now: Date, random: () => number = Math.random): AttemptDecision {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { status: 'delivered', delayMs: 0 };
  if (!isRetryable(result) || attempts >= settings.maxAttempts) return { status: 'failed', delayMs: 0 };
  const asked = result.kind === 'response' ? retryAfterMs(result.retryAfter, now) : undefined;
  const delayMs = asked !== undefined ? Math.min(settings.maxDelayMs, Math.max(asked, 0)) : backoffMs(attempts, settings, random);
  return { status: 'pending', delayMs };
}
