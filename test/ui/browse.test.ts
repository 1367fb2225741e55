// The web UI in a real headless Chromium against a real listening Berth with access control on.
// Before the browser starts, a ModelPack model is pushed with the `berth` CLI (two versions) and an
// image with skopeo; a model whose card carries HTML and script goes into a public project. The
// tests then browse as an anonymous visitor and as the admin: project lists, repository tags and
// digests, the model page, moving an alias through the form (checked through the API), the card
// shown as text only, sign-out revoking the token, and no CSP violation on any page.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { CHROMIUM, signInThroughUi, watchedPage } from '../support/browser.js';
import { isolatedEnv, pushFixture } from '../support/hub-models.js';
import { writeModelFixture } from '../support/model-fixtures.js';
import { writeImageLayout, type Layout } from '../support/oci-layouts.js';
import { apiClient, must, type Credentials } from '../support/registry-auth.js';
import { toolAvailable } from '../support/tools.js';

const HAVE_TOOLS = toolAvailable(CHROMIUM) && toolAvailable('skopeo');
const ADMIN: Credentials = { username: 'admin', password: 'ui-admin-password' };
const CARD = [
  '# Evil card',
  '',
  'Hello <img src=x onerror="window.__pwned = 1"> and <script>window.__pwned = 2</script> end.',
  '',
  '<b onmouseover="window.__pwned = 3">bold?</b> [click](javascript:window.__pwned=4)',
  '',
  '```',
  '<svg onload="window.__pwned = 5"></svg>',
  '```',
  '',
].join('\n');

describe.skipIf(!HAVE_TOOLS)('web UI in Chromium', () => {
  let berth: BerthProcess;
  let work: string;
  let browser: Browser;
  let image: Layout;
  let v1: string;
  let v2: string;
  const api = () => apiClient(berth.url, ADMIN);
  const problems: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-ui-'));
    berth = await startBerth({ adminPassword: ADMIN.password });
    await must(api().post('/api/v1/projects', { name: 'team' }), 201);
    await must(api().post('/api/v1/projects', { name: 'open', public: true }), 201);
    const env = isolatedEnv(work);
    const creds = `${ADMIN.username}:${ADMIN.password}`;
    const fixture = await writeModelFixture(join(work, 'model'));
    v1 = (await pushFixture(berth.host, 'team/tiny', 'v1', fixture, env, creds)).digest;
    writeFileSync(join(fixture.dir, 'LICENSE'), 'changed licence, so v2 gets its own digest\n');
    v2 = (await pushFixture(berth.host, 'team/tiny', 'v2', fixture, env, creds)).digest;
    writeFileSync(join(fixture.dir, 'README.md'), CARD);
    await pushFixture(berth.host, 'open/evil', 'v1', fixture, env, creds);
    image = writeImageLayout(join(work, 'image'));
    await promisify(execFile)('skopeo', ['--insecure-policy', 'copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${image.dir}:${image.tag}`, `docker://${berth.host}/team/app:1.0`], {
      env: { ...process.env, HOME: work, REGISTRY_AUTH_FILE: join(work, 'no-auth.json') },
    });
    // production starts on v2; the UI moves it to v1.
    await must(api().put('/api/v1/models/team/tiny/aliases/production', { version: 'v2' }), 200);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });

  afterAll(async () => {
    await browser?.close();
    await berth?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A fresh tab (own sessionStorage) that records CSP violations, page errors and dialogs. */
  const open = (context?: BrowserContext): Promise<Page> => watchedPage(browser, problems, context);
  const signIn = (page: Page): Promise<void> => signInThroughUi(page, berth.url, ADMIN);

  const firstColumn = (page: Page) => page.locator('main table tbody tr td:first-child').allTextContents();

  it('shows anonymous visitors the public projects only', async () => {
    const page = await open();
    await page.goto(`${berth.url}/`);
    expect(page.url()).toBe(`${berth.url}/ui/`);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.locator('main table').waitFor();
    expect(await firstColumn(page)).toEqual(['open']);
    expect(await page.locator('#session a').textContent()).toBe('Sign in');
    await page.goto(`${berth.url}/ui/#/projects/open`);
    await page.locator('section[aria-labelledby="s-repositories"] tbody').waitFor();
    expect(await page.locator('section[aria-labelledby="s-repositories"] tbody td:first-child').allTextContents()).toEqual(['open/evil']);
    await page.goto(`${berth.url}/ui/#/projects/team`);
    await page.locator('main .message').waitFor();
    expect(await page.locator('main').textContent()).toMatch(/not found, or private: sign in/);
    await page.context().close();
  });

  it('signs in with a token kept in sessionStorage (never the password) and shows the private project', async () => {
    const page = await open();
    await signIn(page);
    await page.locator('main table').waitFor();
    expect((await firstColumn(page)).sort()).toEqual(['open', 'team']);
    expect(await page.locator('main table tbody tr', { hasText: 'team' }).textContent()).toMatch(/private.*system admin/);
    const stored = await page.evaluate<string>('JSON.stringify(sessionStorage)');
    expect(stored).toMatch(/berth_pat_/);
    expect(stored).not.toContain(ADMIN.password);
    expect(await page.evaluate<string>('JSON.stringify(localStorage)')).toBe('{}');
    const tokens = (await must(api().get('/api/v1/tokens'), 200)).body as Array<{ name: string; expiresAt: string; revokedAt: string | null }>;
    const uiToken = tokens.find((t) => t.name.startsWith('berth-ui'));
    expect(uiToken?.revokedAt).toBeNull();
    expect(Date.parse(uiToken!.expiresAt) - Date.now()).toBeLessThanOrEqual(12 * 3600_000);

    await page.goto(`${berth.url}/ui/#/projects/team`);
    await page.locator('#s-members').waitFor();
    expect(await page.locator('section[aria-labelledby="s-repositories"] tbody td:first-child').allTextContents()).toEqual(['team/app', 'team/tiny']);
    expect(await page.locator('section[aria-labelledby="s-members"] tbody').textContent()).toContain('projectAdmin');
    await page.context().close();
  });

  it('lists tags with the digests that were pushed, for the model and the skopeo image', async () => {
    const page = await open();
    await signIn(page);
    await page.goto(`${berth.url}/ui/#/repositories/team/tiny`);
    await page.locator('main table').waitFor();
    const digestOf = (tag: string) => page.locator('main tbody tr', { has: page.locator(`code.tag:text-is("${tag}")`) }).locator('code.digest').getAttribute('title');
    expect(await digestOf('v1')).toBe(v1);
    expect(await digestOf('v2')).toBe(v2);
    expect(await page.locator('main tbody tr').first().textContent()).toMatch(/model/);
    expect(await page.locator('#pull-commands').textContent()).toContain(`berth pull ${berth.host}/team/tiny:v2`);

    await page.goto(`${berth.url}/ui/#/repositories/team/app`);
    await page.locator('main table').waitFor();
    expect(await digestOf('1.0')).toBe(image.manifestDigest);
    const row = await page.locator('main tbody tr').first().textContent();
    expect(row).toMatch(/image/);
    expect(row).toContain('application/vnd.oci.image.manifest.v1+json');
    expect(await page.locator('#pull-commands').textContent()).toContain(`skopeo copy docker://${berth.host}/team/app:1.0`);
    await page.context().close();
  });

  it('shows the model versions and moves an alias through the form', async () => {
    const page = await open();
    await signIn(page);
    await page.goto(`${berth.url}/ui/#/models/team/tiny`);
    await page.locator('#alias-form').waitFor();
    const versions = page.locator('section[aria-labelledby="s-versions"] tbody tr');
    expect(await versions.count()).toBe(2);
    expect(await versions.filter({ hasText: 'v1' }).textContent()).toMatch(/safetensors.*clean/);
    expect(await page.locator('#aliases tbody tr').textContent()).toMatch(/production\s*v2/);
    expect(await page.locator('#kubeai-manifest').textContent()).toContain('url: hf://team/tiny');

    await page.getByLabel('Alias', { exact: true }).fill('production');
    await page.getByLabel('points at').selectOption('v1');
    await page.getByRole('button', { name: 'Set alias' }).click();
    await page.locator('#aliases tbody tr', { hasText: /production\s*v1/ }).waitFor();
    const alias = await must(api().get('/api/v1/models/team/tiny/aliases/production'), 200);
    expect(alias.body).toMatchObject({ alias: 'production', version: 'v1', digest: v1 });
    await page.context().close();
  });

  it('shows a model card with HTML and script as text: no element, no script, no dialog', async () => {
    const page = await open();
    await page.goto(`${berth.url}/ui/#/models/open/evil`);
    await page.locator('#model-card .card-text').waitFor();
    const card = page.locator('#model-card');
    expect(await card.textContent()).toContain('<img src=x onerror="window.__pwned = 1">');
    expect(await card.textContent()).toContain('<script>window.__pwned = 2</script>');
    expect(await card.locator('h3').textContent()).toBe('Evil card');
    expect(await card.locator('img, script, svg, b, iframe').count()).toBe(0);
    expect(await card.locator('a').count()).toBe(0);
    await card.locator('p', { hasText: 'bold?' }).hover();
    expect(await page.evaluate<string>('typeof window.__pwned')).toBe('undefined');
    expect(problems.filter((p) => p.startsWith('dialog'))).toEqual([]);
    await page.context().close();
  });

  it('signs out by revoking the token: the API refuses it afterwards', async () => {
    const page = await open();
    await signIn(page);
    const token = await page.evaluate<string>("JSON.parse(sessionStorage.getItem('berth.session')).token");
    expect(token).toMatch(/^berth_pat_/);
    expect((await fetch(`${berth.url}/api/v1/users/current`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#session a', { hasText: 'Sign in' }).waitFor();
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect((await fetch(`${berth.url}/api/v1/users/current`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    await page.context().close();
  });

  it('reported no CSP violation, script error or dialog on any page', () => {
    expect(problems).toEqual([]);
  });
});
