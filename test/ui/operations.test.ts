// The operations views of the web UI (audit log, webhooks and their deliveries) in a real headless
// Chromium against a real listening Berth with access control on and fast, single-attempt webhook
// delivery. Through the API, as admin: a project, a developer member, a webhook policy whose name is an
// HTML payload, pointing at a real receiver that answers 500, and a push (so one delivery fails). Then
// in the browser: the project and system audit logs as the API lists them (paging with "Older"), the
// policy and its failed delivery, "Redeliver" reaching the recovered receiver with the same event id,
// "Send test event" reaching it with `webhook.test`, the developer seeing the API's refusals and no
// buttons, and no dialog, CSP violation or script error on any page.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { CHROMIUM, signInThroughUi, watchedPage } from '../support/browser.js';
import { apiClient, eventually, must, mustPushImage, RegistryClient, type Credentials } from '../support/registry-auth.js';
import { toolAvailable } from '../support/tools.js';
import { startReceiver, waitFor, type WebhookReceiver } from '../support/webhook-receiver.js';

const HAVE_CHROMIUM = toolAvailable(CHROMIUM);
const ADMIN: Credentials = { username: 'admin', password: 'ui-admin-password' };
const DEV: Credentials = { username: 'devi', password: 'developer-password-1' };
const PAYLOAD = '<img src=x onerror=alert(1)>';
const FAST_HOOKS = { BERTH_WEBHOOK_POLL_MS: '50', BERTH_WEBHOOK_RETRY_BASE_SECONDS: '0.1', BERTH_WEBHOOK_MAX_ATTEMPTS: '1' };

interface Entry { actor: string; action: string; resource: string; project: string | null; allowed: boolean; status: number }
interface Delivery { id: number; eventId: string; eventType: string; status: string; lastStatusCode: number | null }

describe.skipIf(!HAVE_CHROMIUM)('operations views in Chromium', () => {
  let berth: BerthProcess;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let policyId: number;
  let failed: Delivery;
  const api = () => apiClient(berth.url, ADMIN);
  const problems: string[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    receiver.fallback = { status: 500 };
    berth = await startBerth({ adminPassword: ADMIN.password, env: FAST_HOOKS });
    await must(api().post('/api/v1/projects', { name: 'ops' }), 201);
    await must(api().post('/api/v1/users', DEV), 201);
    await must(api().put(`/api/v1/projects/ops/members/${DEV.username}`, { role: 'developer' }), 200);
    policyId = (await must(api().post('/api/v1/projects/ops/webhooks', { name: PAYLOAD, url: receiver.url, events: ['artifact.pushed'] }), 201)).body.id;
    await mustPushImage(new RegistryClient(berth.url, ADMIN), 'ops/app', 'v1');
    failed = await eventually(async () => {
      const list = (await must(api().get(`/api/v1/webhooks/${policyId}/deliveries`), 200)).body as Delivery[];
      return list.find((d) => d.status === 'failed');
    }, 'the failed delivery');
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });

  afterAll(async () => {
    await browser?.close();
    await berth?.dispose();
    await receiver?.close();
  });

  /** A fresh tab, signed in as `who`, recording dialogs, page errors and console errors (CSP reports). */
  async function signedIn(who: Credentials): Promise<Page> {
    const page = await watchedPage(browser, problems);
    await signInThroughUi(page, berth.url, who);
    return page;
  }

  /** The audit table's rows as [who, action, resource, result]. */
  const auditRows = async (page: Page, withProject: boolean) => {
    const rows = await page.locator('#audit-entries tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    return rows.map((cells) => [cells[1], cells[2], cells[3], ...(withProject ? [cells[4]] : []), cells.at(-1)]);
  };
  const expected = (entries: Entry[], withProject: boolean) =>
    entries.map((e) => [e.actor, e.action, e.resource, ...(withProject ? [e.project ?? '—'] : []), e.allowed ? String(e.status) : `denied ${e.status}`]);

  it('shows the project audit log as the API lists it, a page at a time, and the system log to the admin', async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${berth.url}/ui/#/projects/ops`);
    await page.locator('main').getByRole('link', { name: 'Audit log' }).click();
    await page.locator('#audit-entries tbody tr').first().waitFor();
    const projectLog = (await must(api().get('/api/v1/projects/ops/audit'), 200)).body as Entry[];
    expect(projectLog.length).toBeLessThan(50); // one page
    expect(projectLog.every((e) => e.actor === 'admin')).toBe(true);
    const shownProject = await auditRows(page, false);
    expect(shownProject).toEqual(expected(projectLog, false));
    expect(shownProject).toContainEqual(['admin', 'PUT /api/v1/projects/:project/members/:username', `/api/v1/projects/ops/members/${DEV.username}`, '200']);
    expect(shownProject).toContainEqual(['admin', 'POST /api/v1/projects/:project/webhooks', '/api/v1/projects/ops/webhooks', '201']);
    expect(await page.locator('#audit-older').isHidden()).toBe(true);

    await page.goto(`${berth.url}/ui/#/projects/ops/audit?limit=2`);
    const rows = page.locator('#audit-entries tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    for (let shown = 2; shown < projectLog.length; shown += 2) {
      await page.getByRole('button', { name: 'Older' }).click();
      await rows.nth(Math.min(shown + 1, projectLog.length - 1)).waitFor();
    }
    if (projectLog.length % 2 === 0) await page.getByRole('button', { name: 'Older' }).click(); // an empty last page
    await page.locator('#audit-older').waitFor({ state: 'hidden' });
    expect(await auditRows(page, false)).toEqual(expected(projectLog, false));

    await page.locator('#audit-link').click();
    await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
    await page.locator('#audit-entries tbody tr').first().waitFor();
    const systemLog = (await must(api().get('/api/v1/audit'), 200)).body as Entry[];
    expect(systemLog.map((e) => e.action)).toEqual(expect.arrayContaining(['POST /api/v1/projects', 'POST /api/v1/users', 'PUT /api/v1/projects/:project/members/:username', 'POST /api/v1/projects/:project/webhooks']));
    const shown = await auditRows(page, true);
    expect(shown).toEqual(expected(systemLog, true));
    expect(shown).toContainEqual(['admin', 'POST /api/v1/projects', '/api/v1/projects', '—', '201']);
    await page.context().close();
  });

  it('lists the policy (its HTML name as text) and its failed delivery, redelivers it and sends a test event', async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${berth.url}/ui/#/projects/ops`);
    await page.locator('main').getByRole('link', { name: 'Webhooks' }).click();
    const policy = page.locator(`#webhook-${policyId}`);
    await policy.waitFor();
    expect(await policy.locator('h3').textContent()).toBe(PAYLOAD);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await policy.locator('.webhook-url').textContent()).toBe(receiver.url);
    expect(await policy.locator('dl').textContent()).toMatch(/Eventsartifact\.pushed.*Formatdefault.*Stateenabled/);

    const rows = page.locator(`#deliveries-${policyId} tbody tr`);
    const failedRow = rows.filter({ hasText: failed.eventId }).filter({ hasText: 'failed' });
    await failedRow.waitFor();
    expect(await failedRow.locator('.status-code').textContent()).toBe('500');
    expect(await failedRow.locator('.event-type').textContent()).toBe('artifact.pushed');
    expect(await failedRow.textContent()).toContain('receiver answered 500');

    receiver.fallback = { status: 200 };
    await failedRow.getByRole('button', { name: 'Redeliver' }).click();
    await waitFor(() => receiver.received.some((hook) => hook.headers['webhook-id'] === failed.eventId && hook.status === 200), 'the redelivered event');
    const delivered = rows.filter({ hasText: failed.eventId }).filter({ hasText: 'delivered' });
    await delivered.waitFor();
    expect(await delivered.locator('.status-code').textContent()).toBe('200');
    expect(await rows.count()).toBe(2);
    const listed = (await must(api().get(`/api/v1/webhooks/${policyId}/deliveries`), 200)).body as Delivery[];
    expect(listed.map((d) => [d.eventId, d.status])).toEqual([[failed.eventId, 'delivered'], [failed.eventId, 'failed']]);

    await policy.getByRole('button', { name: 'Send test event' }).click();
    await policy.locator('.webhook-status', { hasText: 'Test event delivered: the receiver answered 200.' }).waitFor();
    expect(receiver.received.filter((hook) => hook.json?.event === 'webhook.test')).toHaveLength(1);
    expect(receiver.received.find((hook) => hook.json?.event === 'webhook.test')!.json).toMatchObject({ type: 'TEST_WEBHOOK', operator: 'admin', project: 'ops' });
    await rows.filter({ has: page.locator('.event-type', { hasText: 'webhook.test' }) }).filter({ hasText: 'delivered' }).waitFor();
    await page.context().close();
  });

  it('shows a developer the API refusals of the webhooks and audit pages, and no buttons', async () => {
    const dev = apiClient(berth.url, DEV);
    const webhooksRefusal = await must(dev.get('/api/v1/projects/ops/webhooks'), 403);
    const auditRefusal = await must(dev.get('/api/v1/projects/ops/audit'), 403);
    const systemRefusal = await must(dev.get('/api/v1/audit'), 403);
    const page = await signedIn(DEV);
    expect(await page.locator('#audit-link').count()).toBe(0);

    await page.goto(`${berth.url}/ui/#/projects/ops/webhooks`);
    const refusal = page.locator('section[aria-labelledby="s-policies"] .message.error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(`Could not load webhooks: ${webhooksRefusal.body.errors[0].message}`);
    expect(await page.locator('#project-role').textContent()).toBe('developer');
    expect(await page.locator('main button').count()).toBe(0);

    await page.goto(`${berth.url}/ui/#/projects/ops/audit`);
    await page.locator('#audit-entries .message.error').waitFor();
    expect(await page.locator('#audit-entries').textContent()).toBe(`Could not load the audit log: ${auditRefusal.body.errors[0].message}`);
    expect(await page.locator('#audit-older').isHidden()).toBe(true);

    await page.goto(`${berth.url}/ui/#/audit`);
    await page.locator('#audit-entries', { hasText: systemRefusal.body.errors[0].message }).waitFor();
    await page.context().close();
  });

  it('reported no dialog, CSP violation or script error on any page', () => {
    expect(problems).toEqual([]);
  });
});
