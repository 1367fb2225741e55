// Slows down repeated failed logins per account and source address: after a few free failures each
// further attempt waits twice as long as the last, up to a cap; a success clears the count.

/** Failed-login bookkeeping in one process. */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly freeAttempts = 5,
    private readonly baseDelayMs = 250,
    private readonly maxDelayMs = 10_000,
    private readonly forgetAfterMs = 15 * 60_000,
  ) {}

  /** How long to wait before checking credentials for `key`. */
  delayFor(key: string, now = Date.now()): number {
    const entry = this.failures.get(key);
    if (!entry || now - entry.last > this.forgetAfterMs) return 0;
    const excess = entry.count - this.freeAttempts;
    return excess < 0 ? 0 : Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** excess);
  }

  /** Records a failed attempt. */
  fail(key: string, now = Date.now()): void {
    const entry = this.failures.get(key);
    const count = entry && now - entry.last <= this.forgetAfterMs ? entry.count + 1 : 1;
    this.failures.set(key, { count, last: now });
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value!);
  }

  /** Clears the record of `key` after a success. */
  succeed(key: string): void {
    this.failures.delete(key);
  }
}
