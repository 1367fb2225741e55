// Slows down repeated failed logins per account and source address: after a few free failures each
// further attempt waits twice as long as the last, up to a cap; a success clears the count. The
// counts live in the AccessStore, so every replica of a deployment throttles the same attacker.
import { createHash } from 'node:crypto';
import type { AccessStore, LoginFailures } from '../ports/access-store.js';
import type { Clock } from '../ports/clock.js';

/** How many failures are free, how the wait grows, and when old failures are forgotten. */
export interface ThrottlePolicy {
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
}

/** Five free failures, then 250 ms doubling up to 10 s; failures older than 15 minutes are forgotten. */
export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = { freeAttempts: 5, baseDelayMs: 250, maxDelayMs: 10_000, forgetAfterMs: 15 * 60_000 };

/** The wait before the next attempt after `failures`, at `now`. */
export function throttleDelay(failures: LoginFailures | null, now: number, policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY): number {
  if (!failures || now - failures.lastAt.getTime() > policy.forgetAfterMs) return 0;
  const excess = failures.count - policy.freeAttempts;
  return excess < 0 ? 0 : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** excess);
}

/** The stored key of the failures of `account` from `source`: a hash, so no name or address is kept. */
export function throttleKey(account: string, source: string): string {
  return createHash('sha256').update(`${account}\u0000${source}`).digest('hex');
}

/** What to do before checking credentials under a key. */
export interface ThrottleCheck {
  delayMs: number;
  /** True when failures are on record (a success then has something to clear). */
  recorded: boolean;
}

/** Failed-login bookkeeping over the shared store. */
export class LoginThrottle {
  private lastPrune = 0;

  constructor(
    private readonly store: Pick<AccessStore, 'getLoginFailures' | 'recordLoginFailure' | 'clearLoginFailures' | 'pruneLoginFailures'>,
    private readonly clock: Clock,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
  ) {}

  /** How long to wait before checking credentials under `key`. */
  async check(key: string): Promise<ThrottleCheck> {
    const failures = await this.store.getLoginFailures(key);
    return { delayMs: throttleDelay(failures, this.clock.now().getTime(), this.policy), recorded: failures !== null };
  }

  /** Records a failed attempt; now and then forgets records nobody has failed under for a while. */
  async fail(key: string): Promise<void> {
    const now = this.clock.now().getTime();
    await this.store.recordLoginFailure(key, new Date(now), new Date(now - this.policy.forgetAfterMs));
    if (now - this.lastPrune > this.policy.forgetAfterMs) {
      this.lastPrune = now;
      await this.store.pruneLoginFailures(new Date(now - this.policy.forgetAfterMs));
    }
  }

  /** Clears the record of `key` after a success. */
  async succeed(key: string): Promise<void> {
    await this.store.clearLoginFailures(key);
  }
}
