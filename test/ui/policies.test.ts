// The policies page of the web UI in a real headless Chromium against a real listening Berth with
// access control on. Through the API, as admin: a project with a 1 MiB quota, two tags of one image
// repository, immutable rules (one whose tag pattern is an HTML payload) and a retention policy
// keeping the latest pushed tag. Then in the browser: the quota as the API reports it, a new limit set
// in the form (and a refused one showing the API's message), a rule disabled, a dry run whose decisions
// mark the older tag `deleted` while the tag stays, a real run after its second click, a guest seeing
// the sections read-only, and no dialog, CSP violation or script error on any page.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { CHROMIUM, signInThroughUi, watchedPage } from '../support/browser.js';
import { apiClient, must, mustPushImage, RegistryClient, type Credentials } from '../support/registry-auth.js';
import { toolAvailable } from '../support/tools.js';

const HAVE_CHROMIUM = toolAvailable(CHROMIUM);
const ADMIN: Credentials = { username: 'admin', password: 'ui-admin-password' };
const GUEST: Credentials = { username: 'gus', password: 'guest-password-1' };
const PAYLOAD = '<img src=x onerror=alert(1)>';
const MiB = 1024 * 1024;

describe.skipIf(!HAVE_CHROMIUM)('policies page in Chromium', () => {
  let berth: BerthProcess;
  let browser: Browser;
  let releaseRule: number;
  const api = () => apiClient(berth.url, ADMIN);
  const problems: string[] = [];

  beforeAll(async () => {
    berth = await startBerth({ adminPassword: ADMIN.password });
    await must(api().post('/api/v1/projects', { name: 'pol' }), 201);
    await must(api().post('/api/v1/projects', { name: 'bare' }), 201);
    await must(api().post('/api/v1/users', GUEST), 201);
    await must(api().put(`/api/v1/projects/pol/members/${GUEST.username}`, { role: 'guest' }), 200);
    await must(api().put('/api/v1/projects/pol/quota', { hard: { storage: MiB } }), 200);
    const registry = new RegistryClient(berth.url, ADMIN);
    await mustPushImage(registry, 'pol/app', 'v1', 'first', ['a'.repeat(3000)]);
    await new Promise((r) => setTimeout(r, 20)); // v2 is pushed strictly later
    await mustPushImage(registry, 'pol/app', 'v2', 'second', ['b'.repeat(3000)]);
    releaseRule = (await must(api().post('/api/v1/projects/pol/immutable-rules', { repository: 'app', tag: 'release-*' }), 201)).body.id;
    await must(api().post('/api/v1/projects/pol/immutable-rules', { repository: '**', tag: PAYLOAD, tagDecoration: 'matches' }), 201);
    await must(api().put('/api/v1/projects/pol/retention', {
      rules: [{ template: 'latestPushedK', params: { latestPushedK: 1 }, tagSelector: { decoration: 'matches', pattern: 'v*' }, repositorySelector: { decoration: 'repoMatches', pattern: 'app' } }],
      schedule: { intervalHours: 24 },
    }), 200);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });

  afterAll(async () => {
    await browser?.close();
    await berth?.dispose();
  });

  /** A fresh tab, signed in as `who`, recording dialogs, page errors and console errors. */
  async function signedIn(who: Credentials): Promise<Page> {
    const page = await watchedPage(browser, problems);
    await signInThroughUi(page, berth.url, who);
    return page;
  }

  const quota = async () => (await must(api().get('/api/v1/projects/pol/quota'), 200)).body as { hard: { storage: number }; used: { storage: number } };
  const section = (page: Page, id: string) => page.locator(`section[aria-labelledby="${id}"]`);

  it('shows the quota and sets a new limit in the form (a refused one shows the API message)', async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${berth.url}/ui/#/projects/pol`);
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.locator('#quota-used').waitFor();
    const { used } = await quota();
    expect(used.storage).toBeGreaterThan(6000);
    expect(await page.locator('#quota-used').textContent()).toBe(`${(used.storage / 1024).toFixed(1)} KiB (${used.storage} bytes)`);
    expect(await page.locator('#quota-hard').textContent()).toBe('1.0 MiB');
    expect(await page.locator('#quota-meter').getAttribute('max')).toBe(String(MiB));
    expect(await page.locator('#quota-meter').getAttribute('value')).toBe(String(used.storage));
    expect(await page.locator('#quota-percent').textContent()).toBe(`${((used.storage / MiB) * 100).toFixed(1)}%`);

    await page.getByLabel('New limit').fill('2.5 MiB');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await page.locator('#quota-hard', { hasText: '2.5 MiB' }).waitFor();
    expect((await quota()).hard.storage).toBe(2.5 * MiB);

    await page.getByLabel('New limit').fill('-5');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await page.locator('#quota-status .message.error').waitFor();
    expect(await page.locator('#quota-status').textContent()).toMatch(/Could not set the limit: .*-1/);
    await page.getByLabel('New limit').fill('lots');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await page.locator('#quota-status', { hasText: '"lots" is not a size' }).waitFor();
    expect((await quota()).hard.storage).toBe(2.5 * MiB);

    await page.getByLabel('New limit').fill('unlimited');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await page.locator('#quota-hard', { hasText: 'unlimited' }).waitFor();
    expect((await quota()).hard.storage).toBe(-1);
    await page.context().close();
  });

  it('lists the immutable rules (HTML in a pattern as text), disables one, adds and deletes one', async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${berth.url}/ui/#/projects/pol/policies`);
    const rows = page.locator('#immutable-rules tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const release = rows.filter({ hasText: 'release-*' });
    expect(await release.textContent()).toMatch(/matching app.*matching release-\*.*enabled/);
    const evil = rows.filter({ hasText: 'onerror' });
    expect(await evil.locator('code.pattern').nth(1).textContent()).toBe(PAYLOAD);
    expect(await page.locator('main img').count()).toBe(0);

    await release.getByRole('button', { name: 'Disable' }).click();
    await rows.filter({ hasText: 'release-*' }).filter({ hasText: 'disabled' }).waitFor();
    expect((await must(api().get(`/api/v1/projects/pol/immutable-rules/${releaseRule}`), 200)).body.disabled).toBe(true);

    await page.getByLabel('Tag pattern').fill('stable');
    await page.getByLabel('Repository decoration').selectOption('excludes');
    await page.getByLabel('Repository pattern').fill('scratch/**');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const added = rows.filter({ hasText: 'stable' });
    await added.waitFor();
    const listed = (await must(api().get('/api/v1/projects/pol/immutable-rules'), 200)).body as Array<{ id: number; tag: string }>;
    const stable = listed.find((r) => r.tag === 'stable');
    expect(stable).toMatchObject({ repository: 'scratch/**', repositoryDecoration: 'excludes', tagDecoration: 'matches', disabled: false });
    expect(await added.textContent()).toMatch(/not matching scratch\/\*\*.*matching stable.*enabled/);

    await page.getByLabel('Tag pattern').fill('{a,b');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('#immutable-status .message.error', { hasText: 'Could not add the rule' }).waitFor();
    expect((await must(api().get('/api/v1/projects/pol/immutable-rules'), 200)).body).toHaveLength(3);

    const remove = added.getByRole('button', { name: 'Delete' });
    await remove.click();
    expect(await remove.textContent()).toBe('Confirm delete');
    await must(api().get(`/api/v1/projects/pol/immutable-rules/${stable!.id}`), 200);
    await remove.click();
    await added.waitFor({ state: 'detached' });
    await must(api().get(`/api/v1/projects/pol/immutable-rules/${stable!.id}`), 404);
    await page.context().close();
  });

  it('shows the retention policy, runs a dry run (v1 deleted in its decisions, still there) and then a real run', async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${berth.url}/ui/#/projects/pol/policies`);
    await page.locator('#retention-rules').waitFor();
    expect(await page.locator('#retention-rules li').textContent()).toBe('keep the 1 most recently pushed of tags matching v* in repositories matching app');
    expect(await section(page, 's-tag-retention').textContent()).toContain('Schedule: every 24 hours');
    expect(await page.locator('#retention-runs').textContent()).toContain('No runs yet.');

    await page.getByRole('button', { name: 'Dry run' }).click();
    const runRow = page.locator('#retention-runs tbody tr', { hasText: 'succeeded' });
    await runRow.waitFor();
    expect((await runRow.locator('td').allTextContents()).slice(1, 8)).toEqual(['dry run', 'succeeded', '2', '1', '1', '0', '0']);
    await page.locator('#retention-decisions').getByText('Decisions of run #').waitFor(); // opened with the run
    await runRow.getByRole('button', { name: 'Decisions' }).click();
    const decision = (tag: string) => page.locator('#retention-decisions tbody tr', { has: page.locator(`code.tag:text-is("${tag}")`) });
    await decision('v1').waitFor();
    expect(await decision('v1').textContent()).toMatch(/^pol\/app.*sha256:[0-9a-f]{12}deleted/);
    expect(await decision('v2').textContent()).toMatch(/retained/);
    expect((await must(api().get('/v2/pol/app/tags/list'), 200)).body.tags.sort()).toEqual(['v1', 'v2']);

    const run = page.locator('#retention-run');
    await run.click();
    expect(await run.textContent()).toBe('Confirm: run now and delete');
    expect((await must(api().get('/api/v1/projects/pol/retention/runs'), 200)).body).toHaveLength(1);
    await run.click();
    const realRow = page.locator('#retention-runs tbody tr', { hasText: 'real' }).filter({ hasText: 'succeeded' });
    await realRow.waitFor();
    expect((await realRow.locator('td').allTextContents()).slice(1, 6)).toEqual(['real', 'succeeded', '2', '1', '1']);
    expect((await must(api().get('/v2/pol/app/tags/list'), 200)).body.tags).toEqual(['v2']);
    await page.context().close();
  });

  it('shows a guest every section read-only, and a project without a policy says so', async () => {
    const page = await signedIn(GUEST);
    await page.goto(`${berth.url}/ui/#/projects/pol/policies`);
    await page.locator('#retention-runs tbody tr').first().waitFor();
    await page.locator('#immutable-rules tbody tr').first().waitFor();
    expect(await page.locator('#project-role').textContent()).toBe('guest');
    expect(await page.locator('#quota-used').textContent()).toMatch(/KiB/);
    expect(await page.locator('#retention-rules li').count()).toBe(1);
    expect(await page.locator('main form').count()).toBe(0);
    for (const name of ['Dry run', 'Run now', 'Disable', 'Enable', 'Delete', 'Set limit', 'Add rule']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await page.locator('#retention-runs tbody tr').count()).toBe(2);

    await page.goto(`${berth.url}/ui/#/projects/bare/policies`);
    await page.locator('main .message.error').first().waitFor();
    expect(await page.locator('main').textContent()).toMatch(/not found/);
    await page.context().close();

    const admin = await signedIn(ADMIN);
    await admin.goto(`${berth.url}/ui/#/projects/bare/policies`);
    await section(admin, 's-tag-retention').getByText('This project has no retention policy').waitFor();
    expect(await admin.locator('#retention-dry-run').count()).toBe(0);
    expect(await admin.locator('#immutable-rules').textContent()).toBe('No immutable tag rules.');
    await admin.context().close();
  });

  it('reported no dialog, CSP violation or script error on any page', () => {
    expect(problems).toEqual([]);
  });
});
