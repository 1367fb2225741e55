// The retention decision, as a pure function of one repository's artifacts and the policy's rules
// (Harbor's algorithm `or`). A rule picks, out of the repositories and tags its selectors match, the
// artifacts it retains; an artifact some enabled rule picked (a candidate) is deleted unless some rule
// retains it. Artifacts no rule picks are never touched. Referrers (manifests with a `subject`:
// signatures, SBOMs) are never candidates: they go when their subject goes. Untagged manifests an
// index in the repository references are part of that index: kept while one of their indexes is kept.
import { compileGlob } from '../policies/glob.js';
import { ruleParam, type RetentionRule } from './policy.js';

const DAY_MS = 86_400_000;

/** What retention knows about one manifest of a repository. */
export interface ArtifactFacts {
  digest: string;
  mediaType: string;
  tags: string[];
  /** The later of the manifest's first push and the last push of one of its tags. */
  pushedAt: Date;
  /** Last pull (by a client GET of the manifest) recorded, null when never. */
  pulledAt: Date | null;
  /** The subject of a referrer, else null. */
  subject: string | null;
  /** Manifests this one references (the children of an index). */
  children: string[];
  /** Why it must never be deleted (an aliased model version, an immutable tag), if so. */
  protectedBy?: string | undefined;
}

/** The outcome for one artifact. */
export interface Decision {
  repository: string;
  digest: string;
  tags: string[];
  pushedAt: Date;
  action: 'retained' | 'deleted';
  /** The index (in the policy's rules) of the rule that retained it; null otherwise. */
  rule: number | null;
  /** The template that retained it, or why it is retained or deleted otherwise. */
  reason: string;
}

/** Compiled selectors of the enabled rules that apply to one repository. */
interface ActiveRule {
  index: number;
  rule: RetentionRule;
  tag: RegExp;
}

/** The repository's name without its project (`team/app` -> `app`), as repository selectors see it. */
export function repositoryPath(project: string, repository: string): string {
  return repository.startsWith(`${project}/`) ? repository.slice(project.length + 1) : repository;
}

/** True when some enabled rule's repository selector picks `repository`. */
export function repositoryInScope(project: string, repository: string, rules: readonly RetentionRule[]): boolean {
  return activeRules(project, repository, rules).length > 0;
}

/** Decides, for the artifacts of `repository`, which are retained and which deleted (untouched ones are left out). */
export function decideRepository(project: string, repository: string, artifacts: readonly ArtifactFacts[], rules: readonly RetentionRule[], now: Date): Decision[] {
  const active = activeRules(project, repository, rules);
  if (active.length === 0) return [];
  const byDigest = new Map(artifacts.map((a) => [a.digest, a]));
  const parents = new Map<string, string[]>();
  for (const a of artifacts) for (const child of a.children) if (child !== a.digest && byDigest.has(child)) parents.set(child, [...(parents.get(child) ?? []), a.digest]);

  // Each rule's selection, and the first rule retaining each artifact.
  const candidates = new Set<string>();
  const retainedBy = new Map<string, ActiveRule>();
  for (const r of active) {
    const selection = artifacts.filter((a) => a.subject === null && !(a.tags.length === 0 && parents.has(a.digest)) && selects(r, a));
    for (const a of selection) candidates.add(a.digest);
    for (const a of retains(r.rule, selection, now)) if (!retainedBy.has(a.digest)) retainedBy.set(a.digest, r);
  }

  type Fate = { action: 'retained' | 'deleted' | 'untouched'; rule: number | null; reason: string };
  const fates = new Map<string, Fate>();
  const own = (a: ArtifactFacts): Fate => {
    if (!candidates.has(a.digest)) return { action: 'untouched', rule: null, reason: 'not selected by any rule' };
    if (a.protectedBy) return { action: 'retained', rule: null, reason: `protected: ${a.protectedBy}` };
    const by = retainedBy.get(a.digest);
    return by ? { action: 'retained', rule: by.index, reason: by.rule.template } : { action: 'deleted', rule: null, reason: 'not retained by any rule' };
  };
  const fate = (a: ArtifactFacts): Fate => {
    const known = fates.get(a.digest);
    if (known) return known;
    fates.set(a.digest, { action: 'untouched', rule: null, reason: 'cycle' });
    let result: Fate;
    const subject = a.subject !== null ? byDigest.get(a.subject) : undefined;
    const ofIndexes = parents.get(a.digest);
    if (a.subject !== null) {
      const gone = subject !== undefined && fate(subject).action === 'deleted';
      result = gone && !a.protectedBy ? { action: 'deleted', rule: null, reason: 'its subject is deleted' } : { action: 'untouched', rule: null, reason: 'referrer' };
    } else if (ofIndexes) {
      const kept = ofIndexes.some((p) => fate(byDigest.get(p)!).action !== 'deleted');
      const mine = own(a);
      if (kept) result = mine.action === 'deleted' ? { action: 'retained', rule: null, reason: 'an index that references it is kept' } : mine;
      else if (a.tags.length === 0 && !a.protectedBy) result = { action: 'deleted', rule: null, reason: 'every index that references it is deleted' };
      else result = mine;
    } else {
      result = own(a);
    }
    fates.set(a.digest, result);
    return result;
  };

  const decisions: Decision[] = [];
  for (const a of artifacts) {
    const f = fate(a);
    if (f.action === 'untouched') continue;
    decisions.push({ repository, digest: a.digest, tags: [...a.tags], pushedAt: a.pushedAt, action: f.action, rule: f.rule, reason: f.reason });
  }
  return decisions;
}

function activeRules(project: string, repository: string, rules: readonly RetentionRule[]): ActiveRule[] {
  const path = repositoryPath(project, repository);
  const active: ActiveRule[] = [];
  rules.forEach((rule, index) => {
    if (rule.disabled) return;
    const repoMatch = compileGlob(rule.repositorySelector.pattern).test(path);
    if (repoMatch !== (rule.repositorySelector.decoration === 'repoMatches')) return;
    active.push({ index, rule, tag: compileGlob(rule.tagSelector.pattern) });
  });
  return active;
}

/** Whether a rule's tag selector picks `a`: untagged ones only with `untagged: true`. */
function selects(r: ActiveRule, a: ArtifactFacts): boolean {
  if (a.tags.length === 0) return r.rule.tagSelector.untagged === true;
  const anyMatch = a.tags.some((t) => r.tag.test(t));
  return r.rule.tagSelector.decoration === 'matches' ? anyMatch : !anyMatch;
}

/** What a rule retains out of its selection. */
function retains(rule: RetentionRule, selection: ArtifactFacts[], now: Date): ArtifactFacts[] {
  const n = ruleParam(rule);
  const byPush = (x: ArtifactFacts, y: ArtifactFacts) => y.pushedAt.getTime() - x.pushedAt.getTime() || (x.digest < y.digest ? -1 : 1);
  switch (rule.template) {
    case 'always':
      return selection;
    case 'latestPushedK':
      return [...selection].sort(byPush).slice(0, n);
    case 'latestPulledN':
      return [...selection].sort((x, y) => (y.pulledAt?.getTime() ?? -1) - (x.pulledAt?.getTime() ?? -1) || byPush(x, y)).slice(0, n);
    case 'nDaysSinceLastPush':
      return selection.filter((a) => a.pushedAt.getTime() >= now.getTime() - n * DAY_MS);
    case 'nDaysSinceLastPull':
      return selection.filter((a) => a.pulledAt !== null && a.pulledAt.getTime() >= now.getTime() - n * DAY_MS);
  }
}
