// Pieces every page uses: headings, tables that scroll on narrow screens, badges, messages,
// copy-able commands, and the formatting of digests, sizes and dates.
import { ApiError } from './api.js';
import { h, type Child } from './dom.js';

/** A table with a caption (for screen readers) and a header row; it scrolls sideways when narrow. */
export function table(caption: string, headers: string[], rows: Child[][], empty = 'None.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c) => h('td', null, c))))),
    ),
  );
}

/** A titled section of a page. */
export function section(title: string, ...children: Child[]): HTMLElement {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A small label; `tone` picks its colour. */
export function badge(text: string, tone: 'ok' | 'warn' | 'bad' | 'info' | 'muted' = 'muted', title?: string): HTMLElement {
  return h('span', { class: `badge ${tone}`, title }, text);
}

/** A message box; errors are announced to screen readers. */
export function message(text: string, kind: 'error' | 'info' = 'info'): HTMLElement {
  return h('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** The message for a failed load; anonymous visitors learn that a missing thing may be private. */
export function failure(what: string, err: unknown, signedIn = true): HTMLElement {
  if (err instanceof ApiError && err.status === 401) return message(`Sign in to see ${what}.`, 'info');
  if (err instanceof ApiError && err.status === 404) return message(`${what[0]!.toUpperCase()}${what.slice(1)}: not found${signedIn ? '' : ', or private: sign in to see it'}.`, 'error');
  return message(`Could not load ${what}: ${err instanceof Error ? err.message : String(err)}`, 'error');
}

/** A shell command with a button that copies it. */
export function command(label: string, text: string): HTMLElement {
  const status = h('span', { class: 'copy-status', 'aria-live': 'polite' });
  const copy = h('button', { type: 'button', class: 'small', 'aria-label': `Copy: ${label}` }, 'Copy');
  copy.addEventListener('click', () => {
    const manual = () => (status.textContent = 'Select the text to copy it');
    // The clipboard API exists only in secure contexts (https, localhost).
    if (!navigator.clipboard) return void manual();
    navigator.clipboard.writeText(text).then(() => (status.textContent = 'Copied'), manual);
  });
  return h('div', { class: 'command' }, h('div', { class: 'command-label' }, label, ' ', copy, ' ', status), h('pre', null, h('code', null, text)));
}

/** The first 12 hex digits of a digest, with the full digest as a tooltip. */
export function shortDigest(digest: string | null | undefined): Child {
  if (!digest) return '—';
  const [algorithm, hex = ''] = digest.split(':');
  return h('code', { title: digest, class: 'digest' }, `${algorithm}:${hex.slice(0, 12)}`);
}

/** A byte count as B, KiB, MiB, GiB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** An ISO time as a <time> element showing local date and time. */
export function time(iso: string | null | undefined): Child {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return h('time', { datetime: iso, title: iso }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

/** A plain-value property as text (objects as compact JSON). */
export function propertyText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
