// How a real listening Berth serves the web UI over HTTP: the CSP and caching headers, index.html
// without inline code, 404 for unknown paths under /ui/, the browser-only redirect of `/`, the
// other surfaces' routes left alone, and `BERTH_UI=false` turning it all off.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { isolatedEnv, pushFixture } from '../support/hub-models.js';
import { writeModelFixture } from '../support/model-fixtures.js';
import { apiClient, must, rawRequest, withBasic, type Credentials } from '../support/registry-auth.js';

const ADMIN: Credentials = { username: 'admin', password: 'ui-serving-password' };

describe('web UI serving', () => {
  let berth: BerthProcess;
  let work: string;
  let index: Response;
  let html: string;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${berth.url}${path}`, { headers, redirect: 'manual' });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-ui-serving-'));
    berth = await startBerth({ adminPassword: ADMIN.password });
    index = await get('/ui/');
    html = await index.text();
  });

  afterAll(async () => {
    await berth?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves index.html with a strict CSP, revalidated on every load', async () => {
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const etag = index.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await get('/ui/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    // No inline script or style anywhere in the page.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('serves the hashed script and stylesheet as immutable, with their content types', async () => {
    const script = /<script type="module" src="(assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const style = /<link rel="stylesheet" href="(assets\/style-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    for (const [path, type] of [[script!, 'text/javascript; charset=utf-8'], [style!, 'text/css; charset=utf-8']] as const) {
      const res = await get(`/ui/${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
  });

  it('answers 404 for unknown paths under /ui/, including attempts to leave the folder', async () => {
    for (const path of ['/ui/assets/app-AAAAAAAA.js', '/ui/nope', '/ui/assets/', '/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/..%2fpackage.json']) {
      const res = await rawRequest(berth.url, 'GET', path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain('"name": "berth"');
    }
  });

  it('redirects browsers from / and /ui to /ui/, and only browsers', async () => {
    const browser = await get('/', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/ui/');
    const client = await get('/', { accept: 'application/json' });
    expect(client.status).toBe(404);
    expect(await client.json()).toMatchObject({ errors: [{ code: 'NOT_FOUND' }] });
    const bare = await get('/ui');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/ui/');
  });

  it('leaves the other surfaces alone (the project name ui is reserved, so no Hub repo lives under /ui/)', async () => {
    const admin = apiClient(berth.url, ADMIN);
    expect((await admin.post('/api/v1/projects', { name: 'ui' })).status).toBe(400);
    await must(admin.post('/api/v1/projects', { name: 'team' }), 201);
    const fixture = await writeModelFixture(join(work, 'model'));
    await pushFixture(berth.host, 'team/tiny', 'v1', fixture, isolatedEnv(work), `${ADMIN.username}:${ADMIN.password}`);
    const auth = withBasic(ADMIN.username, ADMIN.password);
    // The Hub answers a tag with a redirect to the commit-pinned URL; follow it.
    const file = await fetch(`${berth.url}/team/tiny/resolve/v1/config.json`, { headers: auth });
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(readFileSync(join(fixture.dir, 'config.json'), 'utf8'));
    expect((await get('/api/models/team/tiny', auth)).status).toBe(200);
    expect((await get('/api/model_registry/v1alpha3/registered_models', auth)).status).toBe(200);
    expect((await get('/v2/', auth)).status).toBe(200);
    expect((await get('/v2/')).status).toBe(401);
    expect((await get('/auth/token?service=berth', auth)).status).toBe(200);
    expect((await get('/api/v1/projects')).status).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(200);
  });

  it('serves nothing at /ui/ or / with BERTH_UI=false', async () => {
    const off = await startBerth({ adminPassword: ADMIN.password, env: { BERTH_UI: 'false' } });
    try {
      expect((await fetch(`${off.url}/ui/`)).status).toBe(404);
      expect((await fetch(`${off.url}/`, { headers: { accept: 'text/html' }, redirect: 'manual' })).status).toBe(404);
    } finally {
      await off.dispose();
    }
  });
});
