// What callers with push rights may do on a model page: set or move an alias to a version (with the
// alias's current version as `expect`, so a concurrent move is refused instead of overwritten) and
// archive the chosen version (a second click confirms).
import { ApiError, json } from '../api.js';
import { h, replace } from '../dom.js';
import type { PageContext } from '../page.js';
import type { ModelDetail, Version } from '../types.js';
import { message, section } from '../view.js';

const SUGGESTED = ['production', 'staging', 'canary', 'latest'];

/** The actions section. */
export function modelActions(ctx: PageContext, path: string, model: ModelDetail, selected: Version | undefined): HTMLElement {
  const status = h('div', { id: 'action-status' });
  const fail = (what: string) => (err: unknown) => replace(status, message(`Could not ${what}: ${err instanceof ApiError ? err.message : String(err)}`, 'error'));
  const current = new Map(model.aliases.map((a) => [a.alias, a.version]));

  const alias = h('input', { id: 'alias-name', name: 'alias', required: true, list: 'alias-suggestions', autocomplete: 'off', maxlength: 100 });
  const suggestions = h('datalist', { id: 'alias-suggestions' }, [...new Set([...current.keys(), ...SUGGESTED])].map((a) => h('option', { value: a })));
  const live = model.versions.filter((v) => v.state === 'LIVE');
  const version = h('select', { id: 'alias-version', name: 'version', required: true }, live.map((v) => h('option', { value: v.name }, v.name)));
  if (selected && live.some((v) => v.name === selected.name)) version.value = selected.name;
  const aliasForm = h('form', { class: 'filters', id: 'alias-form' },
    h('label', { for: 'alias-name' }, 'Alias'), alias, suggestions,
    h('label', { for: 'alias-version' }, 'points at'), version,
    h('button', { type: 'submit' }, 'Set alias'));
  aliasForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = alias.value.trim();
    const body = { version: version.value, expect: current.get(name) ?? null };
    void json(`${path}/aliases/${encodeURIComponent(name)}`, { method: 'PUT', body }).then(() => ctx.refresh(), fail(`set alias ${name}`));
  });

  let archive: HTMLElement | null = null;
  if (selected && selected.state === 'LIVE') {
    const button = h('button', { type: 'button', id: 'archive-version', class: 'danger' }, `Archive version ${selected.name}`);
    let armed = false;
    button.addEventListener('click', () => {
      if (!armed) {
        armed = true;
        button.textContent = `Confirm: archive ${selected.name}`;
        replace(status, message(`Archived versions stay pullable but leave the default lists. Click again to archive ${selected.name}.`));
        return;
      }
      button.disabled = true;
      void json(`${path}/versions/${encodeURIComponent(selected.name)}/archive`, { method: 'POST' }).then(() => ctx.refresh(), fail(`archive ${selected.name}`));
    });
    archive = h('p', null, button);
  }
  return section('Manage', live.length > 0 ? aliasForm : message('No live version to point an alias at.'), archive, status);
}
