// Shared pieces of the web UI's browser tests: Debian's Chromium for playwright-core, a tab that
// records what must never happen (CSP refusals, script errors, dialogs opened by injected markup), and
// signing in through the UI's own form.
import type { BrowserContext, Browser, Page } from 'playwright-core';
import type { Credentials } from './registry-auth.js';

/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * A fresh tab (in `context`, or a new one with its own sessionStorage) that appends to `problems` every
 * console error but a refused fetch (expected: 401/403/404 answers), every page error and every dialog.
 */
export async function watchedPage(browser: Browser, problems: string[], context?: BrowserContext): Promise<Page> {
  const page = await (context ?? (await browser.newContext())).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return page;
}

/** Signs `who` in on the UI's login page of the Berth at `base`, waiting until the header shows them. */
export async function signInThroughUi(page: Page, base: string, who: Credentials): Promise<void> {
  await page.goto(`${base}/ui/#/login`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#current-user').waitFor();
}
