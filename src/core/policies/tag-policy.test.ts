import { describe, expect, it } from 'vitest';
import type { ImmutableRule } from '../ports/policy-store.js';
import { TagPolicy } from './tag-policy.js';

const T0 = new Date(1_700_000_000_000);
const rule = (id: number, extra: Partial<ImmutableRule>): ImmutableRule => ({
  id, project: 'team', repository: '**', repositoryDecoration: 'matches', tag: 'v*', tagDecoration: 'matches', disabled: false, createdBy: 'a', createdAt: T0, updatedAt: T0, ...extra,
});

function setup(rules: ImmutableRule[]) {
  let now = T0.getTime();
  let reads = 0;
  const store = { listImmutableRules: async (project: string) => (reads++, rules.filter((r) => r.project === project)) };
  const policy = new TagPolicy(store, { now: () => new Date(now) }, 5000);
  return { policy, rules, reads: () => reads, advance: (ms: number) => (now += ms) };
}

describe('TagPolicy', () => {
  it('applies repository and tag patterns with their decorations, skipping disabled rules', async () => {
    const { policy } = setup([
      rule(1, { repository: 'llama/*', tag: '{prod,release-*}' }),
      rule(2, { repository: 'scratch/**', repositoryDecoration: 'excludes', tag: 'v*' }),
      rule(3, { tag: 'latest', disabled: true }),
      rule(4, { tag: 'dev-*', tagDecoration: 'excludes', repository: 'frozen' }),
    ]);
    expect((await policy.protecting('team/llama/7b', 'release-1'))?.id).toBe(1);
    expect(await policy.protecting('team/llama/7b/q4', 'release-1')).toBeUndefined();
    expect((await policy.protecting('team/app', 'v1'))?.id).toBe(2);
    expect(await policy.protecting('team/scratch/x', 'v1')).toBeUndefined();
    expect(await policy.protecting('team/app', 'latest')).toBeUndefined();
    expect((await policy.protecting('team/frozen', 'anything'))?.id).toBe(4);
    expect(await policy.protecting('team/frozen', 'dev-1')).toBeUndefined();
    expect(await policy.protecting('other/app', 'v1')).toBeUndefined();
  });

  it('refuses moving and deleting protected tags and deleting what they point at, allows the same digest again', async () => {
    const { policy } = setup([rule(3, {})]);
    expect(await policy.checkPush('team/llama', 'v1', null, 'sha256:a')).toBe('tag v1 of team/llama is immutable (rule 3)');
    expect(await policy.checkPush('team/llama', 'v1', 'sha256:a', 'sha256:a')).toBeDefined();
    await expect(policy.checkPush('team/llama', 'v1', 'sha256:a', 'sha256:b')).rejects.toMatchObject({ code: 'DENIED', message: 'tag v1 of team/llama is immutable (rule 3)' });
    expect(await policy.checkPush('team/llama', 'latest', 'sha256:a', 'sha256:b')).toBeUndefined();
    await expect(policy.checkTagDelete('team/llama', 'v1')).rejects.toMatchObject({ code: 'DENIED' });
    await policy.checkTagDelete('team/llama', 'latest');
    await expect(policy.checkManifestDelete('team/llama', 'sha256:a', async () => ['latest', 'v1'])).rejects.toThrow(/tag v1 of team\/llama is immutable \(rule 3\); manifest sha256:a cannot be deleted/);
    await policy.checkManifestDelete('team/llama', 'sha256:a', async () => ['latest']);
  });

  it('reads rules again after five seconds or after invalidate, not before', async () => {
    const s = setup([rule(1, {})]);
    await s.policy.protecting('team/a', 'v1');
    await s.policy.protecting('team/a', 'v2');
    expect(s.reads()).toBe(1);
    s.rules.push(rule(2, { tag: 'latest' }));
    expect(await s.policy.protecting('team/a', 'latest')).toBeUndefined();
    s.advance(5001);
    expect((await s.policy.protecting('team/a', 'latest'))?.id).toBe(2);
    expect(s.reads()).toBe(2);
    s.policy.invalidate('team');
    await s.policy.protecting('team/a', 'latest');
    expect(s.reads()).toBe(3);
  });
});
