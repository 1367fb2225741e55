// Tag immutability rules as users manage them: list and read (project members, guest and up), create,
// change and delete (`immutability.manage`: project admins and maintainers). Patterns are checked
// before anything is stored; every change drops this process's cached rules of the project at once.
import { RegistryError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ImmutableRule, ImmutableRulePatch, PolicyStore } from '../ports/policy-store.js';
import { checkRuleInput, type ImmutableRuleInput } from './immutable-rules.js';
import { requireProjectAction, type PolicyCaller } from './policy-caller.js';
import type { TagPolicy } from './tag-policy.js';

/** Most rules a project may hold (Harbor's retention limit, kept for immutability too). */
export const MAX_RULES_PER_PROJECT = 15;

/** Manages immutability rules with permission checks. */
export class ImmutabilityService {
  constructor(
    private readonly store: PolicyStore,
    private readonly policy: TagPolicy,
    private readonly clock: Clock,
  ) {}

  async list(caller: PolicyCaller, project: string): Promise<ImmutableRule[]> {
    await requireProjectAction(caller, project, 'immutability.read', 'read the immutability rules');
    return this.store.listImmutableRules(project);
  }

  async get(caller: PolicyCaller, project: string, id: number): Promise<ImmutableRule> {
    await requireProjectAction(caller, project, 'immutability.read', 'read the immutability rules');
    return this.found(project, id);
  }

  async create(caller: PolicyCaller, project: string, input: ImmutableRuleInput): Promise<ImmutableRule> {
    await requireProjectAction(caller, project, 'immutability.manage', 'manage the immutability rules');
    if (input.tag === undefined) throw new RegistryError('INVALID', 'a rule needs a tag pattern (e.g. "v*" or "**")');
    checkRuleInput(input);
    if ((await this.store.listImmutableRules(project)).length >= MAX_RULES_PER_PROJECT) {
      throw new RegistryError('INVALID', `project "${project}" already has ${MAX_RULES_PER_PROJECT} immutability rules, the most it may hold`);
    }
    const now = this.clock.now();
    const rule = await this.store.createImmutableRule({
      project,
      repository: input.repository ?? '**',
      repositoryDecoration: input.repositoryDecoration ?? 'matches',
      tag: input.tag,
      tagDecoration: input.tagDecoration ?? 'matches',
      disabled: input.disabled ?? false,
      createdBy: caller.actor,
      createdAt: now,
      updatedAt: now,
    });
    this.policy.invalidate(project);
    return rule;
  }

  async update(caller: PolicyCaller, project: string, id: number, input: ImmutableRuleInput): Promise<ImmutableRule> {
    await requireProjectAction(caller, project, 'immutability.manage', 'manage the immutability rules');
    checkRuleInput(input);
    const patch: ImmutableRulePatch = {};
    if (input.repository !== undefined) patch.repository = input.repository;
    if (input.repositoryDecoration !== undefined) patch.repositoryDecoration = input.repositoryDecoration;
    if (input.tag !== undefined) patch.tag = input.tag;
    if (input.tagDecoration !== undefined) patch.tagDecoration = input.tagDecoration;
    if (input.disabled !== undefined) patch.disabled = input.disabled;
    const updated = await this.store.updateImmutableRule(project, id, patch, this.clock.now());
    if (!updated) throw notFound(project, id);
    this.policy.invalidate(project);
    return updated;
  }

  async remove(caller: PolicyCaller, project: string, id: number): Promise<void> {
    await requireProjectAction(caller, project, 'immutability.manage', 'manage the immutability rules');
    if (!(await this.store.deleteImmutableRule(project, id))) throw notFound(project, id);
    this.policy.invalidate(project);
  }

  private async found(project: string, id: number): Promise<ImmutableRule> {
    const rule = await this.store.getImmutableRule(project, id);
    if (!rule) throw notFound(project, id);
    return rule;
  }
}

function notFound(project: string, id: number): RegistryError {
  return new RegistryError('NOT_FOUND', `project "${project}" has no immutability rule ${id}`);
}
