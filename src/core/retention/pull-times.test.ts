// PullTimes: pulls are noted in memory and written in batches, each manifest at most once per interval.
import { describe, expect, it } from 'vitest';
import { PullTimes } from './pull-times.js';
import type { PullTime } from './retention-store.js';

const pull = (digest: string, at: number) => ({ repository: 'team/app', reference: 'v1', digest, mediaType: 'm', operator: 'ann', at: new Date(at) });

describe('PullTimes', () => {
  it('writes the latest pull of each manifest in one batch, then at most once per interval', async () => {
    const batches: PullTime[][] = [];
    const times = new PullTimes({ recordPulls: async (p) => void batches.push([...p]) }, { flushMs: 1000, minIntervalMs: 60_000, maxPending: 10 }, (err) => { throw err; });
    const t = Date.now();
    times.observer(pull('a', t));
    times.observer(pull('a', t + 5));
    times.observer(pull('b', t + 1));
    await times.flush();
    expect(batches).toEqual([[{ repository: 'team/app', digest: 'a', at: new Date(t + 5) }, { repository: 'team/app', digest: 'b', at: new Date(t + 1) }]]);
    times.observer(pull('a', t + 30_000));
    await times.flush();
    expect(batches).toHaveLength(1);
    times.observer(pull('a', t + 61_000));
    await times.stop();
    expect(batches[1]).toEqual([{ repository: 'team/app', digest: 'a', at: new Date(t + 61_000) }]);
  });

  it('notes at most maxPending manifests between writes and keeps a failed batch for later', async () => {
    let fail = true;
    const written: PullTime[] = [];
    const errors: unknown[] = [];
    const times = new PullTimes({ recordPulls: async (p) => { if (fail) throw new Error('db down'); written.push(...p); } }, { flushMs: 1000, minIntervalMs: 60_000, maxPending: 2 }, (err) => errors.push(err));
    for (const d of ['a', 'b', 'c']) times.observer(pull(d, 1));
    await times.flush();
    expect(errors).toHaveLength(1);
    fail = false;
    times.observer(pull('a', 2));
    await times.flush();
    expect(written.map((p) => [p.digest, p.at.getTime()])).toEqual([['a', 2], ['b', 1]]);
  });
});
