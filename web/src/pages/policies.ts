// A project's policies (`#/projects/<name>/policies`): storage quota, immutable tag rules and tag
// retention. Each section loads on its own and shows the API's refusal (401, 403, 404) as a message,
// so a caller sees every section they may read; forms and buttons appear for roles that may use them.
import { json } from '../api.js';
import { h, link, replace } from '../dom.js';
import type { Page } from '../page.js';
import { projectRole } from '../roles.js';
import type { Project } from '../types.js';
import { failure } from '../view.js';
import { immutableSection } from './immutable-section.js';
import { policyRights, type PolicyScope } from './policy-scope.js';
import { quotaSection } from './quota-section.js';
import { retentionSection } from './retention-section.js';

/** The policies page. */
export const policiesPage: Page = async (ctx) => {
  const name = ctx.segments[1]!;
  ctx.title(`${name} · policies`);
  const base = `/api/v1/projects/${encodeURIComponent(name)}`;
  const back = h('p', { class: 'meta' }, link(['projects', name], `← Project ${name}`));
  try {
    await json<Project>(base);
  } catch (err) {
    replace(ctx.main, back, h('h1', null, `Policies of ${name}`), failure(`project ${name}`, err, ctx.session !== null));
    return;
  }
  const role = await projectRole(name, ctx.session);
  if (!ctx.current()) return;
  const scope: PolicyScope = { project: name, base, rights: policyRights(ctx.session?.sysadmin ?? false, role) };
  replace(
    ctx.main,
    back,
    h('h1', null, `Policies of ${name}`),
    h('p', { class: 'meta' }, 'Your role: ', h('strong', { id: 'project-role' }, role.label)),
    quotaSection(ctx, scope),
    immutableSection(ctx, scope),
    retentionSection(ctx, scope),
  );
};
