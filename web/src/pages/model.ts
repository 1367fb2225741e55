// One model (`#/models/<project>/<model>?v=<version>`): its versions with format, size, quantisation
// and scan status, its aliases and the versions they point at, then the chosen version's details
// (model-version.ts) and, for callers who may push, the alias and archive actions (model-actions.ts).
import { modelPath, json } from '../api.js';
import { h, hrefOf, link, replace } from '../dom.js';
import type { Page } from '../page.js';
import { projectRole } from '../roles.js';
import type { ModelDetail, Version } from '../types.js';
import { badge, failure, section, shortDigest, table, time } from '../view.js';
import { modelActions } from './model-actions.js';
import { versionDetails } from './model-version.js';

/** The model page. */
export const modelPage: Page = async (ctx) => {
  const project = ctx.segments[1]!;
  const name = ctx.segments.slice(2).join('/');
  const full = `${project}/${name}`;
  ctx.title(full);
  const path = modelPath(project, name);
  let model: ModelDetail;
  try {
    model = await json<ModelDetail>(path);
  } catch (err) {
    replace(ctx.main, h('h1', null, full), failure(`model ${full}`, err, ctx.session !== null));
    return;
  }
  const versions = [...model.versions].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const wanted = ctx.query.get('v');
  const production = model.aliases.find((a) => a.alias === 'production')?.version;
  const selected = versions.find((v) => v.name === wanted) ?? versions.find((v) => v.name === production) ?? versions[0];
  const [role, details] = await Promise.all([projectRole(project, ctx.session), selected ? versionDetails(path, full, selected) : null]);
  if (!ctx.current()) return;
  const segments = ['models', project, ...name.split('/')];

  const versionRows = versions.map((v) => [
    v.name === selected?.name ? h('strong', { 'aria-current': 'true' }, v.name) : h('a', { href: hrefOf(segments, { v: v.name }) }, v.name),
    v.state === 'LIVE' ? badge('live', 'ok') : badge(v.state.toLowerCase(), 'muted'),
    time(v.createdAt),
    shortDigest(v.digest),
    v.format ?? '—',
    prop(v, 'paramSize'),
    prop(v, 'quantization'),
    scanBadge(v),
    v.aliases.length > 0 ? v.aliases.map((a) => badge(a, 'info')) : '—',
  ]);
  const aliasRows = [...model.aliases].sort((a, b) => a.alias.localeCompare(b.alias)).map((a) => [
    h('code', null, a.alias),
    h('a', { href: hrefOf(segments, { v: a.version }) }, a.version),
    shortDigest(a.digest),
    time(a.updatedAt),
    a.updatedBy ?? '—',
  ]);
  replace(
    ctx.main,
    h('h1', null, full),
    h('p', { class: 'meta' },
      'Project ', link(['projects', project], project), ' · repository ', link(['repositories', ...full.split('/')], full),
      ' · ', model.state === 'LIVE' ? badge('live', 'ok') : badge(model.state.toLowerCase(), 'muted'), ' · your role: ', role.label),
    model.description ? h('p', null, model.description) : null,
    section('Versions', table('Versions', ['Version', 'State', 'Created', 'Digest', 'Format', 'Parameters', 'Quantisation', 'Scan', 'Aliases'], versionRows, 'No versions.')),
    section('Aliases', h('div', { id: 'aliases' }, table('Aliases', ['Alias', 'Version', 'Digest', 'Moved', 'By'], aliasRows, 'No aliases.'))),
    role.canPush ? modelActions(ctx, path, model, selected) : null,
    details,
  );
};

/** A version property as text, or a dash. */
export function prop(v: Version, key: string): string {
  const value = v.properties[key];
  return value === undefined || value === null || value === '' ? '—' : String(value);
}

/** The `berth.scan.status` property as a badge. */
export function scanBadge(v: Version): HTMLElement {
  const status = v.properties['berth.scan.status'];
  const findings = v.properties['berth.scan.findings'];
  const title = typeof findings === 'string' && findings !== '[]' ? `findings: ${findings}` : undefined;
  if (status === 'clean') return badge('clean', 'ok', title);
  if (status === 'dangerous') return badge('dangerous', 'bad', title);
  if (typeof status === 'string') return badge(status, 'warn', title);
  return badge('not scanned', 'muted');
}
