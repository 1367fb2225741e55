import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize, QuotaPolicy, quotaExceeded, quotaRefusalOf } from './quota-policy.js';
import type { DomainEvent } from '../events/domain-events.js';

const clock = { now: () => new Date(1_700_000_000_000) };

describe('quota policy', () => {
  it('formats and parses sizes as people write them', () => {
    expect([0, 512, 1536, 400 * 2 ** 20, 1.2 * 2 ** 30, -1].map(formatBytes)).toEqual(['0 B', '512 B', '1.5 KiB', '400 MiB', '1.2 GiB', 'unlimited']);
    expect(['10GiB', '500MB', '1.5 TiB', '1024', '-1', 'unlimited', '2k', '3Ki'].map(parseSize)).toEqual([10 * 2 ** 30, 500e6, 1.5 * 2 ** 40, 1024, -1, -1, 2000, 3072]);
    expect(['', 'ten', '-2', '5XB', '1e3', '10 G B'].map(parseSize)).toEqual([null, null, null, null, null, null]);
  });

  it('raises the warning only for the push that crosses the threshold', () => {
    const policy = new QuotaPolicy({ defaultStorageBytes: 1000, warningPercent: 85 }, clock, async () => undefined);
    const charge = policy.charge('team/app', 'alice');
    expect(charge.defaultHard).toBe(1000);
    expect(charge.onCharged!({ project: 'team', hard: 1000, before: 0, added: 850 })).toEqual([]);
    const [warning] = charge.onCharged!({ project: 'team', hard: 1000, before: 800, added: 100 });
    expect(warning).toMatchObject({ type: 'quota.warning', project: 'team', operator: 'alice', data: { repository: 'team/app', hard: 1000, used: 900, added: 100 } });
    expect(charge.onCharged!({ project: 'team', hard: 1000, before: 900, added: 10 })).toEqual([]);
    expect(charge.onCharged!({ project: 'team', hard: -1, before: 0, added: 10 ** 12 })).toEqual([]);
  });

  it('records quota.exceeded for a refused push only', async () => {
    const written: DomainEvent[] = [];
    const policy = new QuotaPolicy({ defaultStorageBytes: -1, warningPercent: 85 }, clock, async (events) => void written.push(...events));
    const err = quotaExceeded('team', 1.5 * 2 ** 30, 1.2 * 2 ** 30, 400 * 2 ** 20);
    expect(err.message).toBe('quota exceeded: project team uses 1.2 GiB of 1.5 GiB; this push adds 400 MiB');
    expect(quotaRefusalOf(err)).toMatchObject({ project: 'team', added: 400 * 2 ** 20 });
    expect(await policy.refused(new Error('other'), 'team/app', 'v1', 'sha256:x', 'bob')).toBe(false);
    expect(await policy.refused(err, 'team/app', 'v1', 'sha256:x', 'bob')).toBe(true);
    expect(written).toEqual([expect.objectContaining({ type: 'quota.exceeded', project: 'team', operator: 'bob', data: expect.objectContaining({ repository: 'team/app', tag: 'v1', message: err.message }) })]);
  });
});
