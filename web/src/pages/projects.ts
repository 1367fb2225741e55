// The projects the caller may see (anonymous visitors: the public ones), with visibility and the
// caller's role; system administrators get a form to create a project.
import { ApiError, json } from '../api.js';
import { h, link, replace } from '../dom.js';
import type { Page, PageContext } from '../page.js';
import { projectRole } from '../roles.js';
import type { Project } from '../types.js';
import { badge, failure, message, section, table } from '../view.js';

/** The projects list. */
export const projectsPage: Page = async (ctx) => {
  ctx.title('Projects');
  let projects: Project[];
  try {
    projects = await json<Project[]>('/api/v1/projects');
  } catch (err) {
    replace(ctx.main, h('h1', null, 'Projects'), failure('projects', err));
    return;
  }
  const roles = await Promise.all(projects.map((p) => projectRole(p.name, ctx.session)));
  if (!ctx.current()) return;
  const rows = projects.map((p, i) => [
    link(['projects', p.name], p.name),
    p.public ? badge('public', 'info') : badge('private', 'muted'),
    roles[i]!.label,
  ]);
  replace(
    ctx.main,
    h('h1', null, 'Projects'),
    ctx.session ? null : h('p', null, 'You are browsing anonymously: only public projects are listed. ', link(['login'], 'Sign in'), ' to see the others.'),
    table('Projects', ['Name', 'Visibility', 'Your role'], rows, 'No projects yet.'),
    ctx.session?.sysadmin ? createForm(ctx) : null,
  );
};

function createForm(ctx: PageContext): HTMLElement {
  const name = h('input', { id: 'new-project-name', name: 'name', required: true, pattern: '[a-z0-9]+([._\\-][a-z0-9]+)*', autocomplete: 'off' });
  const isPublic = h('input', { id: 'new-project-public', name: 'public', type: 'checkbox' });
  const status = h('div');
  const form = h(
    'form',
    { class: 'stack narrow', id: 'create-project' },
    h('label', { for: 'new-project-name' }, 'Name (lower-case letters, digits, . _ -)'),
    name,
    h('label', { class: 'inline' }, isPublic, ' Public (anyone may pull)'),
    h('button', { type: 'submit' }, 'Create project'),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void json<Project>('/api/v1/projects', { method: 'POST', body: { name: name.value.trim(), public: isPublic.checked } }).then(
      () => ctx.refresh(),
      (err: unknown) => replace(status, message(`Could not create the project: ${err instanceof ApiError ? err.message : String(err)}`, 'error')),
    );
  });
  return section('Create a project', form);
}
