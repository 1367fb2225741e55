// Project quotas as users see and set them (Harbor's /quotas): a project's limit and usage (anyone who
// may see the project), setting a limit and listing every project's (system administrators), and the
// repair that recomputes usage from the stored manifests when bookkeeping ever drifted.
import { RegistryError } from '../errors.js';
import type { PolicyStore, UsageRepair } from '../ports/policy-store.js';
import { requireAdmin, type PolicyCaller } from './policy-caller.js';
import type { QuotaSettings } from './quota-policy.js';

/** A project's quota as the API reports it (Harbor's shape). */
export interface QuotaView {
  project: string;
  hard: { storage: number };
  used: { storage: number };
  /** True when the project follows the system default limit. */
  isDefault: boolean;
}

/** Reads, sets and repairs project quotas. */
export class QuotaService {
  constructor(
    private readonly store: PolicyStore,
    private readonly settings: QuotaSettings,
    /** The names of every project (those without a quota row yet included in the list). */
    private readonly projectNames: () => Promise<string[]>,
  ) {}

  /** The quota of `project`. */
  async get(caller: PolicyCaller, project: string): Promise<QuotaView> {
    await caller.see(project);
    const row = await this.store.getQuota(project);
    return this.view(project, row?.hard ?? null, row?.used ?? 0);
  }

  /** Sets the hard limit of `project` in bytes (-1 unlimited, null back to the default); system administrators only. */
  async set(caller: PolicyCaller, project: string, hard: number | null): Promise<QuotaView> {
    requireAdmin(caller, 'set project quotas');
    if (hard !== null && (!Number.isSafeInteger(hard) || hard < -1)) throw new RegistryError('INVALID', 'hard.storage must be an integer number of bytes, or -1 for unlimited');
    await caller.see(project);
    const row = await this.store.setHardLimit(project, hard);
    return this.view(project, row.hard, row.used);
  }

  /** Every project's quota, by name; system administrators only. */
  async list(caller: PolicyCaller): Promise<QuotaView[]> {
    requireAdmin(caller, 'list project quotas');
    const rows = new Map((await this.store.listQuotas()).map((q) => [q.project, q]));
    const names = [...new Set([...rows.keys(), ...(await this.projectNames())])].sort();
    return names.map((name) => this.view(name, rows.get(name)?.hard ?? null, rows.get(name)?.used ?? 0));
  }

  /** Recomputes usage from the manifests (of `project`, or of every project); system administrators only. */
  async recompute(caller: PolicyCaller, project?: string): Promise<UsageRepair[]> {
    requireAdmin(caller, 'recompute project quotas');
    if (project !== undefined) await caller.see(project);
    return this.store.recomputeUsage(project);
  }

  private view(project: string, hard: number | null, used: number): QuotaView {
    return { project, hard: { storage: hard ?? this.settings.defaultStorageBytes }, used: { storage: used }, isDefault: hard === null };
  }
}
