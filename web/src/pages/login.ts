// Sign in: the username and password go once, as Basic auth, to POST /api/v1/tokens, which creates
// a short-lived personal access token; only that token is kept (sessionStorage). The password field
// is cleared whatever the outcome.
import { ApiError, json } from '../api.js';
import { h, replace } from '../dom.js';
import type { Page } from '../page.js';
import { basicAuth, LOGIN_TOKEN_DAYS, saveSession } from '../session.js';
import type { CurrentUser } from '../types.js';
import { message } from '../view.js';

interface CreatedToken {
  id: string;
  token: string;
  expiresAt: string | null;
}

/** The sign-in form. */
export const loginPage: Page = async (ctx) => {
  ctx.title('Sign in');
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { id: 'login-status' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'stack narrow', id: 'login-form' },
    h('label', { for: 'login-username' }, 'Username'),
    username,
    h('label', { for: 'login-password' }, 'Password'),
    password,
    submit,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const secret = password.value;
    password.value = '';
    submit.disabled = true;
    void signIn(username.value.trim(), secret).then(
      () => {
        ctx.sessionChanged();
        const next = ctx.query.get('next');
        location.hash = next?.startsWith('#/') ? next : '#/';
      },
      (err: unknown) => {
        submit.disabled = false;
        const text = err instanceof ApiError && err.status === 401 ? 'Wrong username or password.' : `Could not sign in: ${err instanceof Error ? err.message : String(err)}`;
        replace(status, message(text, 'error'));
        password.focus();
      },
    );
  });
  replace(ctx.main, h('h1', null, 'Sign in'), h('p', null, 'Anonymous visitors see public projects only.'), form);
};

async function signIn(username: string, password: string): Promise<void> {
  const name = `berth-ui ${new Date().toISOString().slice(0, 16)}`;
  const created = await json<CreatedToken>('/api/v1/tokens', {
    method: 'POST',
    authorization: basicAuth(username, password),
    body: { name, scopes: ['admin'], expiresInDays: LOGIN_TOKEN_DAYS },
  });
  const me = await json<CurrentUser>('/api/v1/users/current', { authorization: `Bearer ${created.token}` });
  saveSession({ username: me.username ?? username, sysadmin: me.sysadmin === true, tokenId: created.id, token: created.token, expiresAt: created.expiresAt });
}
