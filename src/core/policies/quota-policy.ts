// Project storage quotas at push time (Harbor's quota middleware, src/server/middleware/quota/). A
// project's usage is the size of the distinct blobs its manifests reference plus the manifests' own
// sizes; it is booked by the RegistryStore in the transaction of each manifest push and delete, and a
// push that would take it over the hard limit is refused there (DENIED, nothing stored). Blob uploads
// are not refused: a blob becomes part of a project only when a manifest references it, so the
// manifest PUT is where usage is defined (Harbor also refuses blob uploads early; Berth does not).
// This module builds what a push asks of the store, the refusal, and the two Harbor events.
import { RegistryError } from '../errors.js';
import { domainEvent, type DomainEvent } from '../events/domain-events.js';
import type { Clock } from '../ports/clock.js';
import type { QuotaCharge, UsageChange } from '../ports/policy-store.js';

/** Quota settings: the limit of projects without their own, and where the warning fires. */
export interface QuotaSettings {
  /** Bytes; -1 unlimited. */
  defaultStorageBytes: number;
  /** A push that takes usage over this percentage of the hard limit raises `quota.warning`. */
  warningPercent: number;
}

/** The numbers of a refused push, as carried by its error's detail. */
export interface QuotaRefusal {
  reason: 'quota';
  project: string;
  hard: number;
  used: number;
  added: number;
}

/** Records events outside any other change (the refusal has no transaction of its own). */
export type EventAppender = (events: readonly DomainEvent[]) => Promise<void>;

/** Builds quota charges for pushes and reports refusals. */
export class QuotaPolicy {
  constructor(
    readonly settings: QuotaSettings,
    private readonly clock: Clock,
    private readonly appendEvents: EventAppender,
  ) {}

  /** What a push of `repository` by `operator` asks of the store: the default limit and the warning event. */
  charge(repository: string, operator: string | undefined): QuotaCharge {
    const warningPercent = this.settings.warningPercent;
    return {
      defaultHard: this.settings.defaultStorageBytes,
      onCharged: (change: UsageChange) => {
        if (change.hard < 0 || change.added === 0) return [];
        const threshold = (change.hard * warningPercent) / 100;
        const after = change.before + change.added;
        if (change.before > threshold || after <= threshold) return [];
        return [domainEvent('quota.warning', change.project, operator, this.clock.now(), {
          repository, hard: change.hard, used: after, added: change.added, warningPercent,
          message: `project ${change.project} uses ${formatBytes(after)} of ${formatBytes(change.hard)} (over ${warningPercent}%)`,
        })];
      },
    };
  }

  /** Records `quota.exceeded` for a push of `repository` that `err` refused; false when `err` is no quota refusal. */
  async refused(err: unknown, repository: string, tag: string | undefined, digest: string, operator: string | undefined): Promise<boolean> {
    const refusal = quotaRefusalOf(err);
    if (!refusal) return false;
    await this.appendEvents([domainEvent('quota.exceeded', refusal.project, operator, this.clock.now(), {
      repository, tag, digest, hard: refusal.hard, used: refusal.used, added: refusal.added, message: (err as Error).message,
    })]);
    return true;
  }
}

/** The refusal of a push that would take `project` over its hard limit. */
export function quotaExceeded(project: string, hard: number, used: number, added: number): RegistryError {
  const detail: QuotaRefusal = { reason: 'quota', project, hard, used, added };
  return new RegistryError('DENIED', `quota exceeded: project ${project} uses ${formatBytes(used)} of ${formatBytes(hard)}; this push adds ${formatBytes(added)}`, { detail });
}

/** The numbers of a quota refusal, or null when `err` is something else. */
export function quotaRefusalOf(err: unknown): QuotaRefusal | null {
  if (!(err instanceof RegistryError) || err.code !== 'DENIED') return null;
  const detail = err.detail as Partial<QuotaRefusal> | undefined;
  return detail?.reason === 'quota' ? (detail as QuotaRefusal) : null;
}

/** Bytes for people: `512 B`, `1.5 KiB`, `400 MiB`, `1.2 GiB` (binary units, at most one decimal). */
export function formatBytes(bytes: number): string {
  if (bytes < 0) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} ${units[unit]}`;
}

/**
 * Parses a size as people write it: `10GiB`, `500MB`, `1.5 GiB`, `1024`, `-1` or `unlimited`
 * (SI units are powers of 1000, IEC units of 1024); null when it is not one.
 */
export function parseSize(text: string): number | null {
  const t = text.trim();
  if (/^(-1|unlimited)$/i.test(t)) return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?i?b?)?$/i.exec(t);
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase().replace(/b$/, '');
  const powers: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50 };
  const factor = powers[unit];
  if (factor === undefined) return null;
  const bytes = Math.round(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
