// Policy validation in the core: every problem is named in one INVALID error.
import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../errors.js';
import { validatePolicy, type RetentionPolicy, type RetentionRule } from './policy.js';

const good: RetentionRule = { disabled: false, template: 'latestPushedK', params: { latestPushedK: 3 }, tagSelector: { decoration: 'matches', pattern: 'v*' }, repositorySelector: { decoration: 'repoMatches', pattern: '**' } };

function problems(policy: RetentionPolicy): string[] {
  try {
    validatePolicy(policy);
    return [];
  } catch (err) {
    if (!isRegistryError(err) || err.code !== 'INVALID') throw err;
    return err.detail as string[];
  }
}

describe('validatePolicy', () => {
  it('accepts a well-formed policy', () => {
    expect(problems({ rules: [good, { ...good, template: 'always', params: {} }], enabled: true, schedule: { intervalHours: 24 } })).toEqual([]);
  });

  it('names each problem: too many rules, a bad count, a missing parameter, a bad pattern, a bad schedule', () => {
    expect(problems({ rules: Array(16).fill(good), enabled: true })).toEqual(['a policy holds at most 15 rules']);
    const found = problems({
      rules: [
        { ...good, params: { latestPushedK: 0 } },
        { ...good, template: 'nDaysSinceLastPull', params: {} },
        { ...good, tagSelector: { decoration: 'matches', pattern: 'v{1,2' } },
        { ...good, repositorySelector: { decoration: 'repoMatches', pattern: '[a' } },
      ],
      enabled: true,
      schedule: { intervalHours: 0 },
    });
    expect(found).toHaveLength(5);
    expect(found[0]).toMatch(/rules\.0\.params\.latestPushedK/);
    expect(found[1]).toMatch(/rules\.1\.params\.nDaysSinceLastPull/);
    expect(found[2]).toMatch(/rules\.2\.tagSelector\.pattern/);
    expect(found[3]).toMatch(/rules\.3\.repositorySelector\.pattern/);
    expect(found[4]).toMatch(/intervalHours/);
  });
});
