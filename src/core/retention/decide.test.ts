// The retention decision as a pure function: each template, both decorations of both selectors,
// untagged artifacts, the OR of rules, disabled rules, protection, referrers and index children.
import { describe, expect, it } from 'vitest';
import { decideRepository, type ArtifactFacts } from './decide.js';
import type { RetentionRule } from './policy.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const DAY = 86_400_000;
const d = (name: string) => `sha256:${name.padEnd(64, '0')}`;

/** An artifact pushed `ageDays` ago (and pulled `pulledDays` ago, if given). */
function art(name: string, tags: string[], ageDays: number, extra: Partial<ArtifactFacts> & { pulledDays?: number } = {}): ArtifactFacts {
  const { pulledDays, ...rest } = extra;
  return { digest: d(name), mediaType: 'application/vnd.oci.image.manifest.v1+json', tags, pushedAt: new Date(NOW.getTime() - ageDays * DAY), pulledAt: pulledDays === undefined ? null : new Date(NOW.getTime() - pulledDays * DAY), subject: null, children: [], ...rest };
}

function rule(template: RetentionRule['template'], n: number, tag = '**', repo = '**', more: Partial<RetentionRule> & { untagged?: boolean; excludes?: boolean; repoExcludes?: boolean } = {}): RetentionRule {
  const { untagged, excludes, repoExcludes, ...rest } = more;
  return {
    disabled: false, template, params: template === 'always' ? {} : { [template]: n },
    tagSelector: { decoration: excludes ? 'excludes' : 'matches', pattern: tag, ...(untagged !== undefined ? { untagged } : {}) },
    repositorySelector: { decoration: repoExcludes ? 'repoExcludes' : 'repoMatches', pattern: repo },
    ...rest,
  };
}

/** name -> 'retained:<rule>' | 'deleted' for the decided artifacts. */
function outcome(artifacts: ArtifactFacts[], rules: RetentionRule[], repository = 'team/app') {
  const byDigest = new Map(artifacts.map((a) => [a.digest, a.digest.slice(7).replace(/0+$/, '')]));
  return Object.fromEntries(decideRepository('team', repository, artifacts, rules, NOW).map((x) => [byDigest.get(x.digest), x.action === 'deleted' ? 'deleted' : `retained:${x.rule ?? x.reason}`]));
}

const six = () => [1, 2, 3, 4, 5, 6].map((i) => art(`a${i}`, [`v${i}`], 10 - i));

describe('templates', () => {
  it('latestPushedK keeps the K most recently pushed', () => {
    expect(outcome(six(), [rule('latestPushedK', 3, 'v*')])).toEqual({ a1: 'deleted', a2: 'deleted', a3: 'deleted', a4: 'retained:0', a5: 'retained:0', a6: 'retained:0' });
  });

  it('latestPulledN keeps the N most recently pulled; never-pulled ones come last', () => {
    const arts = [art('a1', ['v1'], 5, { pulledDays: 1 }), art('a2', ['v2'], 4), art('a3', ['v3'], 3, { pulledDays: 9 }), art('a4', ['v4'], 2, { pulledDays: 2 })];
    expect(outcome(arts, [rule('latestPulledN', 2)])).toEqual({ a1: 'retained:0', a2: 'deleted', a3: 'deleted', a4: 'retained:0' });
  });

  it('nDaysSinceLastPush keeps what was pushed within N days', () => {
    expect(outcome(six(), [rule('nDaysSinceLastPush', 6)])).toEqual({ a1: 'deleted', a2: 'deleted', a3: 'deleted', a4: 'retained:0', a5: 'retained:0', a6: 'retained:0' });
  });

  it('nDaysSinceLastPull keeps what was pulled within N days, never what was never pulled', () => {
    const arts = [art('a1', ['v1'], 50, { pulledDays: 1 }), art('a2', ['v2'], 1), art('a3', ['v3'], 2, { pulledDays: 30 })];
    expect(outcome(arts, [rule('nDaysSinceLastPull', 7)])).toEqual({ a1: 'retained:0', a2: 'deleted', a3: 'deleted' });
  });

  it('always keeps everything its selectors pick', () => {
    expect(Object.values(outcome(six(), [rule('always', 0)]))).toEqual(Array(6).fill('retained:0'));
  });
});

describe('selectors', () => {
  it('tag matches: only matching tags are candidates; others are untouched', () => {
    const arts = [...six(), art('x', ['latest'], 20)];
    const result = outcome(arts, [rule('latestPushedK', 1, 'v{1,2,3}')]);
    expect(result).toEqual({ a1: 'deleted', a2: 'deleted', a3: 'retained:0' });
  });

  it('tag excludes: artifacts with no tag matching the pattern are the candidates', () => {
    const arts = [art('a', ['latest'], 1), art('b', ['v1'], 2), art('c', ['v2', 'latest'], 3), art('d', ['v3'], 4)];
    expect(outcome(arts, [rule('latestPushedK', 1, 'latest', '**', { excludes: true })])).toEqual({ b: 'retained:0', d: 'deleted' });
  });

  it('repository selectors see the name without the project, with both decorations', () => {
    expect(outcome(six(), [rule('latestPushedK', 1, '**', 'app')], 'team/app')).toMatchObject({ a1: 'deleted', a6: 'retained:0' });
    expect(outcome(six(), [rule('latestPushedK', 1, '**', 'team/app')], 'team/app')).toEqual({});
    expect(outcome(six(), [rule('latestPushedK', 1, '**', 'app')], 'team/other')).toEqual({});
    expect(outcome(six(), [rule('latestPushedK', 1, '**', 'app', { repoExcludes: true })], 'team/other')).toMatchObject({ a1: 'deleted', a6: 'retained:0' });
    expect(outcome(six(), [rule('latestPushedK', 1, '**', 'app', { repoExcludes: true })], 'team/app')).toEqual({});
    expect(outcome(six(), [rule('latestPushedK', 1, '**', 'models/*')], 'team/models/llm')).toMatchObject({ a1: 'deleted' });
  });

  it('untagged artifacts are candidates only with untagged: true', () => {
    const arts = [art('t', ['v1'], 1), art('u1', [], 2), art('u2', [], 3)];
    expect(outcome(arts, [rule('latestPushedK', 1, 'v*')])).toEqual({ t: 'retained:0' });
    expect(outcome(arts, [rule('latestPushedK', 1, 'v*', '**', { untagged: true })])).toEqual({ t: 'retained:0', u1: 'deleted', u2: 'deleted' });
  });
});

describe('combining rules', () => {
  it('retains what ANY enabled rule retains (OR), naming the first rule that did', () => {
    const arts = six();
    arts[0]!.tags.push('stable');
    const result = outcome(arts, [rule('latestPushedK', 2, 'v*'), rule('always', 0, 'stable')]);
    expect(result).toEqual({ a1: 'retained:1', a2: 'deleted', a3: 'deleted', a4: 'deleted', a5: 'retained:0', a6: 'retained:0' });
  });

  it('ignores disabled rules, for selection and for retention', () => {
    expect(outcome(six(), [rule('latestPushedK', 1, 'v*'), rule('always', 0, 'v*', '**', { disabled: true })])).toMatchObject({ a1: 'deleted', a6: 'retained:0' });
    expect(outcome(six(), [rule('latestPushedK', 1, 'v*', '**', { disabled: true })])).toEqual({});
  });

  it('never deletes a protected artifact', () => {
    const arts = six();
    arts[0]!.protectedBy = 'model alias "production" points at its version';
    const decided = decideRepository('team', 'team/app', arts, [rule('latestPushedK', 1, 'v*')], NOW);
    expect(decided.find((x) => x.digest === d('a1'))).toMatchObject({ action: 'retained', rule: null, reason: expect.stringContaining('production') });
    expect(decided.filter((x) => x.action === 'deleted').map((x) => x.tags[0])).toEqual(['v2', 'v3', 'v4', 'v5']);
  });
});

describe('referrers and index children', () => {
  it('referrers follow their subject and never count as candidates', () => {
    const arts = [art('s1', ['v1'], 3), art('s2', ['v2'], 2), art('sig1', [], 1, { subject: d('s1') }), art('sig2', [], 1, { subject: d('s2') }), art('sbom', [], 1, { subject: d('sig1') })];
    // untagged: true would make untagged referrers candidates if they were counted on their own.
    expect(outcome(arts, [rule('latestPushedK', 1, 'v*', '**', { untagged: true })])).toEqual({ s1: 'deleted', s2: 'retained:0', sig1: 'deleted', sbom: 'deleted' });
  });

  it('index children are kept while an index referencing them is kept, and go with their last index', () => {
    const arts = [
      art('old', ['v1'], 5, { children: [d('c1'), d('shared')] }),
      art('new', ['v2'], 1, { children: [d('c2'), d('shared')] }),
      art('c1', [], 6), art('c2', [], 6), art('shared', [], 6),
      art('tagged', ['arm64'], 6),
    ];
    arts[0]!.children.push(d('tagged'));
    const result = outcome(arts, [rule('latestPushedK', 1, 'v*', '**', { untagged: true })]);
    // `tagged` is a child too, but its own tag no rule selects keeps it.
    expect(result).toEqual({ old: 'deleted', new: 'retained:0', c1: 'deleted' });
  });

  it('a child a rule would delete on its own is kept while its index is kept', () => {
    const arts = [art('idx', ['v9'], 1, { children: [d('child')] }), art('child', ['v1'], 9)];
    expect(outcome(arts, [rule('latestPushedK', 1, 'v*')])).toEqual({ idx: 'retained:0', child: 'retained:an index that references it is kept' });
  });
});
