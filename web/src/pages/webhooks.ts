// A project's webhooks (`#/projects/<name>/webhooks`): each policy's name, target URL, events, format
// and state, with its recent deliveries. Project administrators and system administrators get "Send
// test event" per policy and "Redeliver" per failed delivery; both are harmless, so they act on one
// click, with the button disabled while the request runs. Reading needs `webhook.read` (project
// admins, maintainers): anyone else sees the API's refusal. Secrets are write-only in the API and
// never shown here (only whether one is set).
import { json } from '../api.js';
import { h, replace, type Child } from '../dom.js';
import type { Page, PageContext } from '../page.js';
import type { Webhook, WebhookTestResult } from '../types.js';
import { badge, message, time } from '../view.js';
import { deliveryList } from './webhook-deliveries.js';
import { liveSection, showFailure, startProjectPage } from './policy-scope.js';

/** The webhooks page. */
export const webhooksPage: Page = async (ctx) => {
  const start = await startProjectPage(ctx, 'Webhooks', 'webhooks');
  if (!start) return;
  const { name, base, back, role } = start;
  const canManage = (ctx.session?.sysadmin ?? false) || role.label === 'projectAdmin';
  const live = liveSection(ctx, 'Policies', 'webhooks', async () => {
    const policies = await json<Webhook[]>(`${base}/webhooks`);
    if (policies.length === 0) return h('p', { class: 'empty' }, 'No webhooks. Create one with ', h('code', null, `berth webhook create ${name}`), ' or the API.');
    return policies.map((p) => policyBlock(ctx, p, canManage));
  });
  replace(
    ctx.main,
    back,
    h('h1', null, `Webhooks of ${name}`),
    h('p', { class: 'meta' }, 'Your role: ', h('strong', { id: 'project-role' }, role.label), ' · secrets and auth headers are write-only and never shown'),
    live.element,
  );
};

function policyBlock(ctx: PageContext, policy: Webhook, canManage: boolean): HTMLElement {
  const headingId = `webhook-${policy.id}-name`;
  const status = h('div', { class: 'webhook-status', 'aria-live': 'polite' });
  const deliveries = deliveryList(ctx, policy.id, canManage);
  const fact = (term: string, ...value: Child[]) => [h('dt', null, term), h('dd', null, ...value)];
  return h(
    'article',
    { class: 'webhook', id: `webhook-${policy.id}`, 'aria-labelledby': headingId },
    h('h3', { id: headingId }, policy.name),
    h(
      'dl',
      { class: 'facts' },
      fact('Target', h('code', { class: 'pattern webhook-url' }, policy.url)),
      fact('Events', policy.events.map((e, i) => [i > 0 ? ', ' : null, h('code', null, e)])),
      fact('Format', policy.format === 'cloudevents' ? 'CloudEvents' : 'default (Harbor-compatible JSON)'),
      fact('State', policy.enabled ? badge('enabled', 'ok') : badge('disabled', 'muted'), policy.hasSecret ? badge('signed', 'info') : null, policy.hasAuthHeader ? badge('auth header', 'info') : null),
      fact('Created', time(policy.createdAt), policy.createdBy ? ` by ${policy.createdBy}` : null),
    ),
    canManage ? h('p', { class: 'filters' }, testButton(policy, status, () => void deliveries.reload())) : null,
    status,
    h('h4', null, 'Recent deliveries'),
    deliveries.element,
  );
}

function testButton(policy: Webhook, status: HTMLElement, after: () => void): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'webhook-test' }, 'Send test event');
  button.addEventListener('click', () => {
    button.disabled = true;
    replace(status);
    void json<WebhookTestResult>(`/api/v1/webhooks/${policy.id}/test`, { method: 'POST' })
      .then(({ success, delivery }) => {
        const answer = delivery.lastStatusCode === null ? (delivery.lastError ?? 'no answer') : `the receiver answered ${delivery.lastStatusCode}`;
        replace(status, message(success ? `Test event delivered: ${answer}.` : `The test event failed: ${answer}.`, success ? 'info' : 'error'));
        after();
      }, showFailure(status, 'send a test event'))
      .finally(() => (button.disabled = false));
  });
  return button;
}
