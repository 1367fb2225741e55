// The recent deliveries of one webhook policy (`GET /api/v1/webhooks/<id>/deliveries`): event, status,
// attempts, the receiver's last answer, error and latency. Those who may manage the policy get
// "Redeliver" on a failed delivery, which queues its event again as a new delivery; the list polls while
// a delivery is pending, so a redelivery's outcome shows without reloading the page.
import { json } from '../api.js';
import { h, replace, type Child } from '../dom.js';
import type { PageContext } from '../page.js';
import type { WebhookDelivery } from '../types.js';
import { badge, failure, table, time } from '../view.js';
import { showFailure } from './policy-scope.js';

const SHOWN = 20;
const POLL_MS = 500;

/** A policy's delivery list; `reload` fetches it again (e.g. after a test event). */
export interface DeliveryList {
  element: HTMLElement;
  reload(): Promise<void>;
}

/** The delivery list of policy `policyId`; `canManage` adds the Redeliver buttons. */
export function deliveryList(ctx: PageContext, policyId: number, canManage: boolean): DeliveryList {
  const path = `/api/v1/webhooks/${policyId}/deliveries`;
  const body = h('div', { class: 'delivery-rows' }, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  const status = h('div', { class: 'delivery-status', 'aria-live': 'polite' });
  let poll: ReturnType<typeof setTimeout> | undefined;

  const reload = async (): Promise<void> => {
    clearTimeout(poll);
    let content: Child;
    try {
      const deliveries = await json<WebhookDelivery[]>(`${path}?limit=${SHOWN}`);
      if (deliveries.some((d) => d.status === 'pending')) poll = setTimeout(() => void (ctx.current() && reload()), POLL_MS);
      content = [
        table(`Deliveries of webhook ${policyId}`, ['Delivery', 'Event', 'Status', 'Attempts', 'Last code', 'Error', 'Latency', 'Created', ''], deliveries.map(row), 'No deliveries yet.'),
        deliveries.length === SHOWN ? h('p', { class: 'muted' }, `The latest ${SHOWN}; older ones with `, h('code', null, `berth webhook deliveries ${policyId}`), '.') : null,
      ];
    } catch (err) {
      content = failure('the deliveries', err, ctx.session !== null);
    }
    if (ctx.current()) replace(body, content);
  };

  function row(d: WebhookDelivery): Child[] {
    const tone = d.status === 'delivered' ? 'ok' : d.status === 'failed' ? 'bad' : 'info';
    return [
      `#${d.id}`,
      [h('code', { class: 'event-type' }, d.eventType), h('br'), h('code', { class: 'event-id' }, d.eventId)],
      [badge(d.status, tone), d.nextAttemptAt ? h('div', { class: 'muted' }, 'next try ', time(d.nextAttemptAt)) : null],
      d.attempts,
      h('span', { class: 'status-code' }, d.lastStatusCode === null ? '—' : String(d.lastStatusCode)),
      d.lastError ?? '—',
      d.lastLatencyMs === null ? '—' : `${d.lastLatencyMs} ms`,
      time(d.createdAt),
      canManage && d.status === 'failed' ? redeliverButton(d) : null,
    ];
  }

  function redeliverButton(d: WebhookDelivery): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'small', title: `Send event ${d.eventId} again` }, 'Redeliver');
    button.addEventListener('click', () => {
      button.disabled = true;
      replace(status);
      void json<WebhookDelivery>(`${path}/${d.id}/redeliver`, { method: 'POST' }).then(
        () => reload(),
        (err: unknown) => {
          button.disabled = false;
          showFailure(status, `redeliver #${d.id}`)(err);
        },
      );
    });
    return button;
  }

  void reload();
  return { element: h('div', { id: `deliveries-${policyId}`, class: 'deliveries' }, status, body), reload };
}
