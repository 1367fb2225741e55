// The immutable tag rules of a project on its policies page: a table of the rules (repository and tag
// patterns with their decorations, enabled or not) and, for callers who may manage them, a form that
// adds one and buttons that enable, disable or delete one (delete asks for a second click).
import { json } from '../api.js';
import { h, replace, type Child } from '../dom.js';
import type { PageContext } from '../page.js';
import type { ImmutableRule } from '../types.js';
import { badge, table } from '../view.js';
import { confirmButton, liveSection, showFailure, type PolicyScope } from './policy-scope.js';

/** The immutable tag rules section. */
export function immutableSection(ctx: PageContext, scope: PolicyScope): HTMLElement {
  const path = `${scope.base}/immutable-rules`;
  const status = h('div', { id: 'immutable-status' });
  const manage = scope.rights.manageImmutable;
  const live = liveSection(ctx, 'Immutable tag rules', 'immutable tag rules', async () => {
    const rules = await json<ImmutableRule[]>(path);
    const headers = ['Rule', 'Repositories', 'Tags', 'State', ...(manage ? ['Actions'] : [])];
    const rows = rules.map((r): Child[] => [
      `#${r.id}`,
      selector(r.repositoryDecoration, r.repository),
      selector(r.tagDecoration, r.tag),
      r.disabled ? badge('disabled', 'muted') : badge('enabled', 'ok'),
      ...(manage ? [actions(r)] : []),
    ]);
    return [
      h('p', { class: 'muted' }, 'A tag a rule covers can be neither moved nor deleted once it exists. Repository patterns are matched without the project prefix.'),
      h('div', { id: 'immutable-rules' }, table('Immutable tag rules', headers, rows, 'No immutable tag rules.')),
      manage ? addForm() : null,
    ];
  }, status);

  const act = (what: string, request: Promise<unknown>) => {
    replace(status);
    void request.then(() => live.reload(), showFailure(status, what));
  };

  function actions(r: ImmutableRule): HTMLElement {
    const toggle = h('button', { type: 'button', class: 'small', title: `${r.disabled ? 'Enable' : 'Disable'} rule ${r.id}` }, r.disabled ? 'Enable' : 'Disable');
    toggle.addEventListener('click', () => {
      toggle.disabled = true;
      act(`${r.disabled ? 'enable' : 'disable'} rule ${r.id}`, json(`${path}/${r.id}`, { method: 'PATCH', body: { disabled: !r.disabled } }));
    });
    const remove = confirmButton('Delete', 'Confirm delete', { class: 'small danger', title: `Delete rule ${r.id}` },
      () => act(`delete rule ${r.id}`, json(`${path}/${r.id}`, { method: 'DELETE' })));
    return h('span', { class: 'row-actions' }, toggle, ' ', remove);
  }

  function addForm(): HTMLElement {
    const decoration = (id: string) => h('select', { id, 'aria-label': id === 'rule-repo-decoration' ? 'Repository decoration' : 'Tag decoration' },
      h('option', { value: 'matches' }, 'matching'), h('option', { value: 'excludes' }, 'not matching'));
    const repoDecoration = decoration('rule-repo-decoration');
    const tagDecoration = decoration('rule-tag-decoration');
    const repo = h('input', { id: 'rule-repo', name: 'repository', required: true, maxlength: 256, value: '**', autocomplete: 'off' });
    const tag = h('input', { id: 'rule-tag', name: 'tag', required: true, maxlength: 256, placeholder: 'v*', autocomplete: 'off' });
    const form = h('form', { class: 'filters', id: 'immutable-form' },
      h('span', null, 'Protect tags'), tagDecoration, h('label', { for: 'rule-tag', class: 'visually-hidden' }, 'Tag pattern'), tag,
      h('span', null, 'in repositories'), repoDecoration, h('label', { for: 'rule-repo', class: 'visually-hidden' }, 'Repository pattern'), repo,
      h('button', { type: 'submit' }, 'Add rule'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = { repository: repo.value, repositoryDecoration: repoDecoration.value, tag: tag.value, tagDecoration: tagDecoration.value };
      act('add the rule', json(path, { method: 'POST', body }));
    });
    return form;
  }
  return live.element;
}

/** A pattern with its decoration: `matching v*` or `not matching v*`. */
function selector(decoration: string, pattern: string): Child[] {
  return [decoration === 'excludes' ? 'not matching ' : 'matching ', h('code', { class: 'pattern' }, pattern)];
}
