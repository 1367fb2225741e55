// The audit log (`#/projects/<name>/audit` for a project, `#/audit` for the whole system): who did
// what to which resource and what the API answered, newest first, a page at a time with "Older"
// (the API pages by entry id: `?before=<id of the last entry shown>`). The API decides who may read
// it (project admins for a project, system administrators for the system log); a refusal is shown
// as a message in the section.
import { json } from '../api.js';
import { h, link, replace, type Child } from '../dom.js';
import type { Page } from '../page.js';
import type { AuditEntry } from '../types.js';
import { badge, failure, section, table, time } from '../view.js';

/** Entries per page unless the address says otherwise (`?limit=`, 1 to 1000 as the API allows). */
const PAGE_SIZE = 50;

/** The audit log page. */
export const auditPage: Page = async (ctx) => {
  const project = ctx.segments[0] === 'projects' ? ctx.segments[1]! : null;
  const path = project === null ? '/api/v1/audit' : `/api/v1/projects/${encodeURIComponent(project)}/audit`;
  const asked = Number(ctx.query.get('limit'));
  const limit = Number.isInteger(asked) && asked >= 1 && asked <= 1000 ? asked : PAGE_SIZE;
  ctx.title(project === null ? 'Audit log' : `${project} · audit log`);

  const entries: AuditEntry[] = [];
  const list = h('div', { id: 'audit-entries' }, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  const status = h('div', { id: 'audit-status', 'aria-live': 'polite' });
  const older = h('button', { type: 'button', id: 'audit-older', hidden: true }, 'Older');
  const headers = ['Time', 'Who', 'Action', 'Resource', ...(project === null ? ['Project'] : []), 'Result'];

  const load = async (before?: number) => {
    older.disabled = true;
    replace(status);
    let page: AuditEntry[];
    try {
      page = await json<AuditEntry[]>(`${path}?limit=${limit}${before === undefined ? '' : `&before=${before}`}`);
    } catch (err) {
      if (!ctx.current()) return;
      replace(before === undefined ? list : status, failure('the audit log', err, ctx.session !== null));
      older.disabled = false;
      return;
    }
    if (!ctx.current()) return;
    entries.push(...page);
    replace(list, table('Audit log', headers, entries.map((e) => entryRow(e, project === null)), 'No entries.'));
    older.hidden = page.length < limit;
    older.disabled = false;
  };
  older.addEventListener('click', () => void load(entries.at(-1)?.id));

  replace(
    ctx.main,
    project === null ? null : h('p', { class: 'meta' }, link(['projects', project], `← Project ${project}`)),
    h('h1', null, project === null ? 'Audit log' : `Audit log of ${project}`),
    h('p', { class: 'meta' }, 'Writes and refused requests, newest first.'),
    section('Entries', list, h('p', { class: 'filters' }, older), status),
  );
  await load();
};

function entryRow(entry: AuditEntry, withProject: boolean): Child[] {
  const result = entry.allowed ? badge(String(entry.status), entry.status < 400 ? 'ok' : 'warn') : badge(`denied ${entry.status}`, 'bad');
  return [
    time(entry.at),
    [entry.actor, entry.actorKind === 'user' ? null : [' ', badge(entry.actorKind, 'muted')]],
    h('code', null, entry.action),
    h('code', { class: 'pattern' }, entry.resource),
    ...(withProject ? [entry.project ?? '—'] : []),
    result,
  ];
}
