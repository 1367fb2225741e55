// Tag immutability rules as pure data: which (repository, tag) pairs a project's rules protect, and
// validation of rule input. Repository patterns see the repository name without the project prefix
// (`team/llama/7b` is matched as `llama/7b`), as Harbor's selectors do.
import { RegistryError } from '../errors.js';
import type { Decoration, ImmutableRule } from '../ports/policy-store.js';
import { compileGlob } from './glob.js';

/** A rule with its patterns compiled. */
export interface CompiledRule {
  rule: ImmutableRule;
  repository: RegExp;
  tag: RegExp;
}

/** The fields of a rule as a client sends them. */
export interface ImmutableRuleInput {
  repository?: string | undefined;
  tag?: string | undefined;
  repositoryDecoration?: Decoration | undefined;
  tagDecoration?: Decoration | undefined;
  disabled?: boolean | undefined;
}

/** The decorations a selector accepts. */
export const DECORATIONS = ['matches', 'excludes'] as const satisfies readonly Decoration[];

/** Compiles a stored rule's patterns. */
export function compileRule(rule: ImmutableRule): CompiledRule {
  return { rule, repository: compileGlob(rule.repository), tag: compileGlob(rule.tag) };
}

/** The repository name a rule's repository pattern sees: without `<project>/`. */
export function repositoryInProject(repository: string): string {
  const slash = repository.indexOf('/');
  return slash === -1 ? '' : repository.slice(slash + 1);
}

/** The first enabled rule that makes `tag` of `repository` (full name) immutable, if any. */
export function protectingRule(rules: readonly CompiledRule[], repository: string, tag: string): ImmutableRule | undefined {
  const name = repositoryInProject(repository);
  for (const c of rules) {
    if (c.rule.disabled) continue;
    if (c.repository.test(name) !== (c.rule.repositoryDecoration === 'matches')) continue;
    if (c.tag.test(tag) !== (c.rule.tagDecoration === 'matches')) continue;
    return c.rule;
  }
  return undefined;
}

/** The refusal message for a protected tag. */
export function immutableMessage(repository: string, tag: string, rule: ImmutableRule): string {
  return `tag ${tag} of ${repository} is immutable (rule ${rule.id})`;
}

/** Checks the patterns of rule input (INVALID with the reason when malformed). */
export function checkRuleInput(input: ImmutableRuleInput): void {
  if (input.repository !== undefined) compileGlob(input.repository);
  if (input.tag !== undefined) compileGlob(input.tag);
  for (const d of [input.repositoryDecoration, input.tagDecoration]) {
    if (d !== undefined && !DECORATIONS.includes(d)) throw new RegistryError('INVALID', `decoration must be one of ${DECORATIONS.join(', ')}`);
  }
}
