// The retention policy document of a project (Harbor's tag retention, algorithm `or`): up to 15 rules,
// each retaining some artifacts of the repositories and tags its selectors pick, an optional schedule
// and an on/off switch. Validation here is the core's own (the REST layer checks shapes with zod first).
// https://goharbor.io/docs/main/working-with-projects/working-with-images/create-tag-retention-rules/
import { RegistryError } from '../errors.js';
import { compileGlob } from '../policies/glob.js';

/** Harbor's retention templates Berth supports; the parameter of each is keyed by its own name. */
export const TEMPLATES = ['latestPushedK', 'latestPulledN', 'nDaysSinceLastPush', 'nDaysSinceLastPull', 'always'] as const;

/** A retention template. */
export type Template = (typeof TEMPLATES)[number];

/** The most rules a policy holds (as Harbor). */
export const MAX_RULES = 15;
/** The largest count (K, N) or number of days a rule may name. */
export const MAX_PARAM = 100_000;

/** Which tags a rule looks at; `untagged: true` adds the artifacts that have no tag. */
export interface TagSelector {
  decoration: 'matches' | 'excludes';
  pattern: string;
  untagged?: boolean | undefined;
}

/** Which repositories a rule looks at, by name without the project prefix. */
export interface RepositorySelector {
  decoration: 'repoMatches' | 'repoExcludes';
  pattern: string;
}

/** One rule: what it retains out of what its selectors pick. */
export interface RetentionRule {
  disabled: boolean;
  template: Template;
  /** `{ [template]: n }`; empty for `always`. */
  params: Record<string, number>;
  tagSelector: TagSelector;
  repositorySelector: RepositorySelector;
}

/** When a policy runs by itself (cron is not supported: Berth ships no cron parser). */
export interface RetentionSchedule {
  intervalHours: number;
}

/** A project's retention policy. */
export interface RetentionPolicy {
  rules: RetentionRule[];
  schedule?: RetentionSchedule | undefined;
  enabled: boolean;
}

/** Throws INVALID naming every problem of `policy`, or returns it unchanged. */
export function validatePolicy(policy: RetentionPolicy): RetentionPolicy {
  const problems: string[] = [];
  if (policy.rules.length > MAX_RULES) problems.push(`a policy holds at most ${MAX_RULES} rules`);
  policy.rules.forEach((rule, i) => {
    const at = `rules.${i}`;
    if (!TEMPLATES.includes(rule.template)) problems.push(`${at}.template must be one of ${TEMPLATES.join(', ')}`);
    else if (rule.template !== 'always') {
      const n = rule.params[rule.template];
      if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_PARAM) problems.push(`${at}.params.${rule.template} must be an integer from 1 to ${MAX_PARAM}`);
    }
    for (const [where, pattern] of [[`${at}.tagSelector.pattern`, rule.tagSelector.pattern], [`${at}.repositorySelector.pattern`, rule.repositorySelector.pattern]] as const) {
      try {
        compileGlob(pattern);
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}`);
      }
    }
  });
  if (policy.schedule && !(policy.schedule.intervalHours > 0 && policy.schedule.intervalHours <= 24 * 366)) problems.push('schedule.intervalHours must be above 0 and at most a year');
  if (problems.length > 0) throw new RegistryError('INVALID', `invalid retention policy: ${problems.join('; ')}`, { detail: problems });
  return policy;
}

/** The rule's parameter (K, N or days); 0 for `always`. */
export function ruleParam(rule: RetentionRule): number {
  return rule.template === 'always' ? 0 : (rule.params[rule.template] ?? 0);
}
