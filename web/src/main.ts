// The UI's entry: hash routing (`#/projects/team`), the header's sign-in state, and focus moved to
// the page heading on each navigation so keyboard and screen-reader users follow along.
import { call, whenSessionExpires } from './api.js';
import { h, replace } from './dom.js';
import type { Page, PageContext } from './page.js';
import { auditPage } from './pages/audit.js';
import { loginPage } from './pages/login.js';
import { modelPage } from './pages/model.js';
import { modelsPage } from './pages/models.js';
import { policiesPage } from './pages/policies.js';
import { projectPage } from './pages/project.js';
import { projectsPage } from './pages/projects.js';
import { repositoryPage } from './pages/repository.js';
import { webhooksPage } from './pages/webhooks.js';
import { clearSession, currentSession } from './session.js';
import { message } from './view.js';

const main = document.getElementById('main')!;
const sessionBox = document.getElementById('session')!;
let generation = 0;

/** The pages under a project (`#/projects/<name>/<page>`). */
const PROJECT_PAGES: Record<string, Page> = { policies: policiesPage, audit: auditPage, webhooks: webhooksPage };

/** The page for a route's first segment. */
const ROUTES: Record<string, Page> = {
  '': projectsPage,
  projects: async (ctx) => (PROJECT_PAGES[ctx.segments[2] ?? ''] ?? (ctx.segments.length > 1 ? projectPage : projectsPage))(ctx),
  repositories: repositoryPage,
  models: async (ctx) => (ctx.segments.length > 2 ? modelPage(ctx) : modelsPage(ctx)),
  login: loginPage,
  audit: auditPage,
};

function parseHash(): { segments: string[]; query: URLSearchParams } | null {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return null;
  const [path = '', query = ''] = hash.slice(2).split('?', 2);
  try {
    return { segments: path.split('/').filter((s) => s !== '').map(decodeURIComponent), query: new URLSearchParams(query) };
  } catch {
    return { segments: ['not-found'], query: new URLSearchParams() };
  }
}

async function render(): Promise<void> {
  const route = parseHash();
  if (!route) return; // `#main` (the skip link) and other in-page anchors keep the current page
  const mine = ++generation;
  renderSession();
  const ctx: PageContext = {
    main,
    segments: route.segments,
    query: route.query,
    session: currentSession(),
    current: () => mine === generation,
    title: (text) => (document.title = `${text} · Berth`),
    refresh: () => void render(),
    sessionChanged: renderSession,
  };
  replace(main, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  const page = ROUTES[route.segments[0] ?? ''];
  try {
    if (!page) {
      ctx.title('Not found');
      replace(main, h('h1', null, 'Not found'), message('There is no such page.', 'error'));
    } else {
      await page(ctx);
    }
  } catch (err) {
    if (!ctx.current()) return;
    replace(main, h('h1', null, 'Something went wrong'), message(err instanceof Error ? err.message : String(err), 'error'));
  }
  if (!ctx.current()) return;
  const heading = main.querySelector('h1');
  heading?.setAttribute('tabindex', '-1');
  if (mine > 1) heading?.focus();
}

function renderSession(): void {
  const session = currentSession();
  if (!session) {
    replace(sessionBox, h('a', { href: '#/login', class: 'button' }, 'Sign in'));
    return;
  }
  const logout = h('button', { type: 'button', id: 'logout' }, 'Sign out');
  logout.addEventListener('click', () => void signOut(logout));
  const audit = session.sysadmin ? [h('a', { href: '#/audit', id: 'audit-link' }, 'Audit log'), ' '] : null;
  replace(sessionBox, audit, h('span', { class: 'user', id: 'current-user' }, session.username, session.sysadmin ? ' (admin)' : ''), ' ', logout);
}

/** Revokes the session's token, forgets it, and shows the projects as an anonymous visitor. */
async function signOut(button: HTMLButtonElement): Promise<void> {
  const session = currentSession();
  button.disabled = true;
  if (session) await call(`/api/v1/tokens/${encodeURIComponent(session.tokenId)}`, { method: 'DELETE' }).catch(() => undefined);
  clearSession();
  if (location.hash === '#/' || location.hash === '') void render();
  else location.hash = '#/';
}

whenSessionExpires(() => {
  renderSession();
});
document.querySelector('.skip')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => void render());
void render();
