// Enforces tag immutability for the registry: an immutable tag is never moved to another manifest nor
// deleted, and a manifest an immutable tag points at is not deleted by digest. Rules are read through
// the PolicyStore and kept per project for a few seconds (they rarely change): a change made through
// this process is seen at once (invalidate), one made through another replica within `ttlMs` (5 s).
import { RegistryError } from '../errors.js';
import { projectOfRepository } from '../events/domain-events.js';
import type { Clock } from '../ports/clock.js';
import type { ImmutableRule, PolicyStore } from '../ports/policy-store.js';
import { compileRule, immutableMessage, protectingRule, type CompiledRule } from './immutable-rules.js';

/** How long rules read from the store are trusted before being read again. */
export const RULE_CACHE_MS = 5000;

interface Cached {
  rules: Promise<CompiledRule[]>;
  at: number;
}

/** Immutability checks over cached rules. */
export class TagPolicy {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly store: Pick<PolicyStore, 'listImmutableRules'>,
    private readonly clock: Clock,
    private readonly ttlMs = RULE_CACHE_MS,
  ) {}

  /** Forgets the cached rules of `project` (after a change made in this process). */
  invalidate(project: string): void {
    this.cache.delete(project);
  }

  /** The compiled rules of `project`, from the cache while fresh. */
  async rules(project: string): Promise<CompiledRule[]> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(project);
    if (cached && now - cached.at < this.ttlMs) return cached.rules;
    const rules = this.store.listImmutableRules(project).then((list) => list.filter((r) => !r.disabled).map(compileRule));
    this.cache.set(project, { rules, at: now });
    rules.catch(() => this.cache.delete(project));
    return rules;
  }

  /** The enabled rule that makes `tag` of `repository` immutable, if any. */
  async protecting(repository: string, tag: string): Promise<ImmutableRule | undefined> {
    const rules = await this.rules(projectOfRepository(repository));
    return rules.length === 0 ? undefined : protectingRule(rules, repository, tag);
  }

  /**
   * Checks a push of manifest `digest` under `tag` (which points at `previous`, null when new): DENIED
   * when the tag is immutable and would move. Returns the refusal message when the tag is immutable
   * (the store re-checks it inside its transaction), undefined when it is not.
   */
  async checkPush(repository: string, tag: string, previous: string | null, digest: string): Promise<string | undefined> {
    const rule = await this.protecting(repository, tag);
    if (!rule) return undefined;
    const message = immutableMessage(repository, tag, rule);
    if (previous !== null && previous !== digest) throw denied(message, repository, tag, rule);
    return message;
  }

  /** Checks the deletion of `tag`: DENIED when it is immutable. */
  async checkTagDelete(repository: string, tag: string): Promise<void> {
    const rule = await this.protecting(repository, tag);
    if (rule) throw denied(immutableMessage(repository, tag, rule), repository, tag, rule);
  }

  /** Checks the deletion of manifest `digest`, whose tags `tagsOf` lists: DENIED while an immutable tag points at it. */
  async checkManifestDelete(repository: string, digest: string, tagsOf: (repository: string, digest: string) => Promise<string[]>): Promise<void> {
    const rules = await this.rules(projectOfRepository(repository));
    if (rules.length === 0) return;
    for (const tag of await tagsOf(repository, digest)) {
      const rule = protectingRule(rules, repository, tag);
      if (rule) throw denied(`${immutableMessage(repository, tag, rule)}; manifest ${digest} cannot be deleted while it points there`, repository, tag, rule);
    }
  }
}

function denied(message: string, repository: string, tag: string, rule: ImmutableRule): RegistryError {
  return new RegistryError('DENIED', message, { detail: { reason: 'immutable', repository, tag, rule: rule.id } });
}
