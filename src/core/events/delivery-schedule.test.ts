import { describe, expect, it } from 'vitest';
import { backoffMs, decideAfterAttempt, retryAfterMs } from './delivery-schedule.js';

const settings = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000 };
const now = new Date('2026-01-01T00:00:00Z');

describe('delivery schedule', () => {
  it('delivers on 2xx and gives up at once on other 4xx and redirects', () => {
    expect(decideAfterAttempt({ kind: 'response', status: 204 }, 1, settings, now).status).toBe('delivered');
    for (const status of [301, 400, 401, 404, 410]) expect(decideAfterAttempt({ kind: 'response', status }, 1, settings, now).status).toBe('failed');
  });

  it('retries errors, timeouts, 408, 429 and 5xx until the last attempt', () => {
    for (const result of [{ kind: 'error', message: 'ECONNREFUSED' } as const, { kind: 'response', status: 408 } as const, { kind: 'response', status: 429 } as const, { kind: 'response', status: 502 } as const]) {
      expect(decideAfterAttempt(result, 1, settings, now, () => 0.5).status).toBe('pending');
      expect(decideAfterAttempt(result, 5, settings, now).status).toBe('failed');
    }
  });

  it('backs off exponentially with jitter in [half, full] of the step, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, settings, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, settings, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(10, settings, () => 1)).toBe(10_000);
  });

  it('honours Retry-After in seconds or as a date, within the cap', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(decideAfterAttempt({ kind: 'response', status: 429, retryAfter: '3' }, 1, settings, now).delayMs).toBe(3000);
    expect(decideAfterAttempt({ kind: 'response', status: 503, retryAfter: '3600' }, 1, settings, now).delayMs).toBe(10_000);
  });
});
