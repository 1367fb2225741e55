// A project's policies (`#/projects/<name>/policies`): storage quota, immutable tag rules and tag
// retention. Each section loads on its own and shows the API's refusal (401, 403, 404) as a message,
// so a caller sees every section they may read; forms and buttons appear for roles that may use them.
import { h, replace } from '../dom.js';
import type { Page } from '../page.js';
import { immutableSection } from './immutable-section.js';
import { policyRights, startProjectPage, type PolicyScope } from './policy-scope.js';
import { quotaSection } from './quota-section.js';
import { retentionSection } from './retention-section.js';

/** The policies page. */
export const policiesPage: Page = async (ctx) => {
  const start = await startProjectPage(ctx, 'Policies', 'policies');
  if (!start) return;
  const { name, base, back, role } = start;
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
