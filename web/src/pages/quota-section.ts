// The storage quota of a project on its policies page: bytes used against the hard limit, as a meter
// with the percentage, and for system administrators a form that sets the limit from sizes as people
// write them (10GiB, 500MB, unlimited), the way `berth quota set` reads them.
import { json } from '../api.js';
import { h, replace } from '../dom.js';
import type { PageContext } from '../page.js';
import type { Quota } from '../types.js';
import { formatBytes, message } from '../view.js';
import { liveSection, showFailure, type PolicyScope } from './policy-scope.js';

const UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50 };

/**
 * A size as people write it: bytes (`1048576`), SI (`500MB`, powers of 1000) or IEC units (`10GiB`,
 * powers of 1024), `unlimited` or `-1` (-1), `default` (null: the system default); undefined when it is
 * none of those. A minus sign is kept, so the API judges (and refuses) other negative limits.
 */
export function parseSize(text: string): number | null | undefined {
  const t = text.trim();
  if (/^(-1|unlimited)$/i.test(t)) return -1;
  if (/^default$/i.test(t)) return null;
  const m = /^(-?\d+(?:\.\d+)?)\s*([kmgtp]?i?)b?$/i.exec(t);
  const factor = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** The share of `hard` that `used` takes, as `12.5%` (`<0.1%` for a sliver). */
export function percentOf(used: number, hard: number): string {
  if (hard <= 0) return used > 0 ? '100%' : '0%';
  const percent = (used / hard) * 100;
  return percent > 0 && percent < 0.1 ? '<0.1%' : `${percent.toFixed(1)}%`;
}

/** The quota section. */
export function quotaSection(ctx: PageContext, scope: PolicyScope): HTMLElement {
  const path = `${scope.base}/quota`;
  const status = h('div', { id: 'quota-status' });
  const live = liveSection(ctx, 'Storage quota', 'storage quota', async () => {
    const quota = await json<Quota>(path);
    return [usage(quota), scope.rights.setQuota ? limitForm() : null];
  }, status);

  function limitForm(): HTMLElement {
    const input = h('input', { id: 'quota-limit', name: 'limit', required: true, autocomplete: 'off', placeholder: '10GiB, 500MB, unlimited', 'aria-describedby': 'quota-limit-help' });
    const form = h('form', { class: 'filters', id: 'quota-form' },
      h('label', { for: 'quota-limit' }, 'New limit'), input,
      h('button', { type: 'submit' }, 'Set limit'),
      h('span', { id: 'quota-limit-help', class: 'muted' }, 'KiB, MiB, GiB (1024) or KB, MB, GB (1000); unlimited; default for the system default.'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const storage = parseSize(input.value);
      if (storage === undefined) {
        replace(status, message(`"${input.value}" is not a size (examples: 10GiB, 500MB, 1048576, unlimited, default).`, 'error'));
        return;
      }
      replace(status);
      void json<Quota>(path, { method: 'PUT', body: { hard: { storage } } }).then(() => live.reload(), showFailure(status, 'set the limit'));
    });
    return form;
  }
  return live.element;
}

function usage(q: Quota): HTMLElement {
  const used = q.used.storage;
  const hard = q.hard.storage;
  const usedText = h('strong', { id: 'quota-used', title: `${used} bytes` }, `${formatBytes(used)} (${used} bytes)`);
  const source = q.isDefault ? h('span', { class: 'muted' }, ' (system default)') : null;
  if (hard < 0) return h('p', { class: 'quota' }, usedText, ' used; limit: ', h('strong', { id: 'quota-hard' }, 'unlimited'), source);
  const meter = hard > 0 ? h('meter', { id: 'quota-meter', min: 0, max: hard, value: Math.min(used, hard), high: Math.round(hard * 0.85), optimum: 0, 'aria-label': 'Storage used' }) : null;
  return h('div', { class: 'quota' },
    meter,
    h('p', null, usedText, ' of ', h('strong', { id: 'quota-hard', title: `${hard} bytes` }, formatBytes(hard)), source, ' · ', h('span', { id: 'quota-percent' }, percentOf(used, hard)), ' used'));
}
