// One project: its repositories (with artifact and tag counts), models, members, robot accounts (names
// only) and webhooks, each shown when the caller may read it, and links to its policies, webhooks and
// audit log pages.
import { json, jsonOrNull } from '../api.js';
import { h, link, replace } from '../dom.js';
import type { Page } from '../page.js';
import { projectRepositories } from '../repositories.js';
import { projectRole } from '../roles.js';
import type { Member, Model, Project, RepositoryInfo, Robot, Webhook } from '../types.js';
import { badge, failure, message, section, table, time } from '../view.js';

/** The project page (`#/projects/<name>`). */
export const projectPage: Page = async (ctx) => {
  const name = ctx.segments[1]!;
  ctx.title(name);
  const base = `/api/v1/projects/${encodeURIComponent(name)}`;
  let project: Project;
  try {
    project = await json<Project>(base);
  } catch (err) {
    replace(ctx.main, h('h1', null, name), failure(`project ${name}`, err, ctx.session !== null));
    return;
  }
  const signedIn = ctx.session !== null;
  const [repos, models, members, robots, webhooks] = await Promise.all([
    projectRepositories(name).catch((err: unknown) => err),
    json<Model[]>(`/api/v1/models?project=${encodeURIComponent(name)}&limit=1000`).catch((err: unknown) => err),
    signedIn ? jsonOrNull<Member[]>(`${base}/members`) : null,
    signedIn ? jsonOrNull<Robot[]>(`${base}/robots`) : null,
    signedIn ? jsonOrNull<Webhook[]>(`${base}/webhooks`) : null,
  ]);
  const role = await projectRole(name, ctx.session, members);
  if (!ctx.current()) return;

  const modelNames = new Set(Array.isArray(models) ? (models as Model[]).map((m) => m.name) : []);
  const listed = repos instanceof Error ? null : (repos as { items: RepositoryInfo[]; total: number });
  const repoSection = section(
    'Repositories',
    listed === null
      ? failure('repositories', repos)
      : [
          table('Repositories', ['Repository', 'Kind', 'Artifacts', 'Tags', 'Updated'], listed.items.map((r) => [
            link(['repositories', ...r.fullName.split('/')], r.fullName),
            modelNames.has(r.fullName) ? badge('model', 'info') : badge('artifact', 'muted'),
            r.artifactCount,
            r.tagCount,
            time(r.updatedAt),
          ]), 'No repositories yet.'),
          listed.total > listed.items.length ? message(`Showing ${listed.items.length} of ${listed.total} repositories.`) : null,
        ],
  );
  const modelSection = section(
    'Models',
    models instanceof Error
      ? failure('models', models)
      : table('Models', ['Model', 'State', 'Updated'], (models as Model[]).map((m) => [modelLink(m.name), m.state, time(m.updatedAt)]), 'No models yet.'),
  );
  replace(
    ctx.main,
    h('h1', null, project.name),
    h('p', { class: 'meta' }, project.public ? badge('public', 'info') : badge('private', 'muted'), ' Your role: ', h('strong', { id: 'project-role' }, role.label), ' · created ', time(project.createdAt)),
    h('p', null, link(['projects', project.name, 'policies'], 'Policies'), ': storage quota, immutable tags, tag retention'),
    signedIn ? h('p', null, link(['projects', project.name, 'webhooks'], 'Webhooks'), ' and their deliveries · ', link(['projects', project.name, 'audit'], 'Audit log')) : null,
    repoSection,
    modelSection,
    members ? section('Members', table('Members', ['User', 'Role'], members.map((m) => [m.username, m.role]), 'No members.')) : null,
    robots ? section('Robot accounts', table('Robot accounts', ['Name', 'State'], robots.map((r) => [r.name, r.disabled ? badge('disabled', 'warn') : badge('active', 'ok')]), 'No robot accounts.')) : null,
    webhooks
      ? section('Webhooks', table('Webhooks', ['Name', 'Target', 'Events', 'State'], webhooks.map((w) => [w.name, hostOf(w.url), w.events.join(', '), w.enabled ? badge('enabled', 'ok') : badge('disabled', 'muted')]), 'No webhooks.'))
      : null,
  );
};

/** A link to a model page from its full name `<project>/<model...>`. */
export function modelLink(fullName: string): HTMLAnchorElement {
  const slash = fullName.indexOf('/');
  return link(['models', fullName.slice(0, slash), ...fullName.slice(slash + 1).split('/')], fullName);
}

/** The receiver's host only: a webhook URL may carry a token in its path or query. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '—';
  }
}
