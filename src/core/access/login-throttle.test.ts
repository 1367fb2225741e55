// The login throttle's policy (free attempts, doubling, cap, forgetting) and its bookkeeping over a
// real SQLite AccessStore with a clock the test moves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStores, type SqlStores } from '../../adapters/metadata/open.js';
import { DEFAULT_THROTTLE_POLICY, LoginThrottle, throttleDelay, throttleKey } from './login-throttle.js';

const failures = (count: number, lastAt = 0) => ({ count, lastAt: new Date(lastAt) });

describe('throttleDelay', () => {
  it('lets five failures through, then doubles from 250 ms up to 10 s', () => {
    expect([0, 1, 4].map((n) => throttleDelay(failures(n), 0))).toEqual([0, 0, 0]);
    expect([5, 6, 7, 8].map((n) => throttleDelay(failures(n), 0))).toEqual([250, 500, 1000, 2000]);
    expect(throttleDelay(failures(30), 0)).toBe(10_000);
    expect(throttleDelay(null, 0)).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const window = DEFAULT_THROTTLE_POLICY.forgetAfterMs;
    expect(throttleDelay(failures(8), window)).toBe(2000);
    expect(throttleDelay(failures(8), window + 1)).toBe(0);
  });
});

describe('LoginThrottle over the store', () => {
  let dir: string;
  let stores: SqlStores;
  let now: number;
  const clock = { now: () => new Date(now) };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-throttle-'));
    stores = await openStores({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
    now = 1_700_000_000_000;
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('slows a key down after its free failures, and a success clears it', async () => {
    const throttle = new LoginThrottle(stores.access, clock);
    const key = throttleKey('basic\u0000victim', '10.0.0.1');
    for (let i = 0; i < 6; i++) await throttle.fail(key);
    expect(await throttle.check(key)).toEqual({ delayMs: 500, recorded: true });
    expect(await throttle.check(throttleKey('basic\u0000victim', '10.0.0.2'))).toEqual({ delayMs: 0, recorded: false });
    // A second throttle (another replica) sees and clears the same record.
    const other = new LoginThrottle(stores.access, clock);
    await other.succeed(key);
    expect(await throttle.check(key)).toEqual({ delayMs: 0, recorded: false });
  });

  it('starts counting again after the forget window, and prunes stale records', async () => {
    const throttle = new LoginThrottle(stores.access, clock);
    for (let i = 0; i < 7; i++) await throttle.fail('a');
    now += DEFAULT_THROTTLE_POLICY.forgetAfterMs + 1;
    expect((await throttle.check('a')).delayMs).toBe(0);
    await throttle.fail('b');
    expect(await stores.access.getLoginFailures('a')).toBeNull();
    await throttle.fail('a');
    expect(await stores.access.getLoginFailures('a')).toMatchObject({ count: 1 });
  });

  it('keeps no account name or address in the key', () => {
    const key = throttleKey('basic\u0000alice', '192.0.2.7');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(throttleKey('basic\u0000alice', '192.0.2.8'));
  });
});
