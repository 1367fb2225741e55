// Bad credentials, each refused with the right error and, where the registry sees the request, written
// to the audit log: tampered, foreign, expired and misdirected registry tokens, rotated and disabled
// robot secrets, revoked, expired and project-scoped personal access tokens, path tricks in repository
// names, nonsense scopes, password guessing (slowed down, never logged) and secrets in API responses.
// Tokens are forged with the deployment's own key (read from its SQLite file) so that each refusal
// is for the one thing that is wrong with the token.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import {
  accessOf,
  apiClient,
  codesOf,
  eventually,
  getRegistryToken,
  grantedActions,
  must,
  mustPushImage,
  parseChallenge,
  rawRequest,
  RegistryClient,
  withBasic,
  withBearer,
  type ApiReply,
  type Credentials,
} from '../support/registry-auth.js';

const ADMIN: Credentials = { username: 'admin', password: 'xxxxxxxx' };
const ALICE: Credentials = { username: 'alice', password: 'alice-password' };
const WRONG_PASSWORD = `Wr0ng-${randomBytes(6).toString('hex')}`;

describe('bad credentials', () => {
  let berth: BerthProcess;
  let other: BerthProcess;
  let admin: ReturnType<typeof apiClient>;
  let digest: string;
  let signingKey: Buffer;
  const secretsSeen: string[] = [];

  beforeAll(async () => {
    // Debug logging, so the "never logged" checks look at everything the server writes.
    [berth, other] = await Promise.all([startBerth({ adminPassword: ADMIN.password, env: { BERTH_LOG_LEVEL: 'debug' } }), startBerth({ adminPassword: ADMIN.password })]);
    admin = apiClient(berth.url, ADMIN);
    await must(admin.post('/api/v1/users', { username: ALICE.username, password: ALICE.password }), 201);
    await must(admin.post('/api/v1/users', { username: 'victim', password: 'victim-password' }), 201);
    await must(admin.post('/api/v1/projects', { name: 'llm' }), 201);
    await must(admin.post('/api/v1/projects', { name: 'other' }), 201);
    await must(admin.put('/api/v1/projects/llm/members/alice', { role: 'developer' }), 200);
    const pusher = new RegistryClient(berth.url, ADMIN);
    digest = (await mustPushImage(pusher, 'llm/a', '1', 'llm-a')).digest;
    await mustPushImage(pusher, 'other/x', '1', 'other-x');
    const db = new Database(join(berth.dataDir, 'berth.db'), { readonly: true });
    try {
      signingKey = (db.prepare('SELECT secret FROM signing_keys').get() as { secret: Buffer }).secret;
    } finally {
      db.close();
    }
  });

  afterAll(async () => {
    await Promise.all([berth?.dispose(), other?.dispose()]);
  });

  const manifestUrl = (repo = 'llm/a', reference = '1') => `${berth.url}/v2/${repo}/manifests/${reference}`;
  const pullWith = async (headers: Record<string, string>, repo = 'llm/a') => {
    const res = await fetch(manifestUrl(repo), { headers });
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
  };
  const aliceToken = async (scope = 'repository:llm/a:pull') => (await getRegistryToken(berth.url, ALICE, [scope])).token!;

  /** Signs registry-token claims with `key` (HS256, as Berth does), defaults being a valid token for alice. */
  async function forge(key: Uint8Array, overrides: { iss?: string; aud?: string; exp?: number; access?: unknown; sub?: string } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ kind: 'user', uid: 2, access: overrides.access ?? [{ type: 'repository', name: 'llm/a', actions: ['pull'] }] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(overrides.iss ?? 'berth')
      .setAudience(overrides.aud ?? 'berth')
      .setSubject(overrides.sub ?? 'alice')
      .setIssuedAt(now - 600)
      .setNotBefore(now - 600)
      .setExpirationTime(overrides.exp ?? now + 300)
      .sign(key);
  }

  /** Asserts a refused registry request: 401 UNAUTHORIZED with a Bearer challenge. */
  function expectUnauthorized(res: { status: number; headers: Headers; body: unknown }, error?: string) {
    expect(res.status).toBe(401);
    expect(codesOf(res.body)).toEqual(['UNAUTHORIZED']);
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    expect(challenge?.scheme).toBe('bearer');
    expect(challenge?.params.realm).toBe(`${berth.url}/auth/token`);
    expect(challenge?.params.error).toBe(error);
  }

  /** Waits for an audit entry of project `project` on `resource` with `status`. */
  const audited = (project: string, resource: string, status: number) =>
    eventually(async () => {
      const entries = (await admin.get(`/api/v1/projects/${project}/audit?limit=1000`)).body as Array<{ resource: string; status: number; allowed: boolean; actor: string }>;
      return entries.find((e) => e.resource === resource && e.status === status);
    }, `an audit entry for ${resource} with status ${status}`);

  describe('registry tokens', () => {
    it('a control: a token forged with the deployment key and valid claims is accepted', async () => {
      const res = await pullWith(withBearer(await forge(signingKey)));
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
    });

    it('a real token with one character of its payload changed is refused with 401, and audited', async () => {
      const [header, payload, signature] = (await aliceToken()).split('.') as [string, string, string];
      const i = Math.floor(payload.length / 2);
      const flipped = `${payload.slice(0, i)}${payload[i] === 'A' ? 'B' : 'A'}${payload.slice(i + 1)}`;
      expectUnauthorized(await pullWith(withBearer(`${header}.${flipped}.${signature}`)));
      const entry = await audited('llm', '/v2/llm/a/manifests/1', 401);
      expect(entry.allowed).toBe(false);
    });

    it('a real token whose access claim was widened (push added) is refused', async () => {
      const token = await aliceToken();
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = decodeJwt(token);
      const widened = Buffer.from(JSON.stringify({ ...claims, access: [{ type: 'repository', name: 'other/x', actions: ['pull', 'push'] }] })).toString('base64url');
      expect(payload).not.toBe(widened);
      expectUnauthorized(await pullWith(withBearer(`${header}.${widened}.${signature}`), 'other/x'));
    });

    it('a token signed with another key is refused', async () => {
      expectUnauthorized(await pullWith(withBearer(await forge(randomBytes(32)))));
    });

    it("a token from another Berth (its own key) is refused, though valid there", async () => {
      const foreign = (await getRegistryToken(other.url, ADMIN, ['repository:llm/a:pull'])).token!;
      expect(grantedActions(foreign, 'llm/a')).toEqual(['pull']);
      expect((await fetch(`${other.url}/v2/llm/a/manifests/1`, { headers: withBearer(foreign) })).status).toBe(404); // accepted there; nothing stored
      expectUnauthorized(await pullWith(withBearer(foreign)));
    });

    it('an expired token is refused', async () => {
      expectUnauthorized(await pullWith(withBearer(await forge(signingKey, { exp: Math.floor(Date.now() / 1000) - 120 }))));
    });

    it('a token for another audience or issuer is refused', async () => {
      expectUnauthorized(await pullWith(withBearer(await forge(signingKey, { aud: 'some-other-registry' }))));
      expectUnauthorized(await pullWith(withBearer(await forge(signingKey, { iss: 'someone-else' }))));
    });

    it('a token for project llm used on project other is refused with insufficient_scope', async () => {
      expectUnauthorized(await pullWith(withBearer(await aliceToken()), 'other/x'), 'insufficient_scope');
      const entry = await audited('other', '/v2/other/x/manifests/1', 401);
      expect(entry.actor).toBe('alice');
    });

    it('unknown scopes and actions are answered 200 with empty access, never an error', async () => {
      for (const scopes of [['foo:bar:baz'], ['repository:llm/a:explode'], ['garbage'], ['repository::pull'], ['registry:catalog:explode', 'repository:llm/a:explode,pull']]) {
        for (const who of [undefined, ALICE]) {
          const issued = await getRegistryToken(berth.url, who, scopes);
          expect(issued.status, `${scopes.join(' ')}: ${issued.text}`).toBe(200);
          const access = accessOf(issued.token!);
          expect(access.filter((a) => a.name !== 'llm/a')).toEqual([]);
          expect(grantedActions(issued.token!, 'llm/a')).toEqual(scopes.some((s) => s.endsWith(',pull')) && who ? ['pull'] : []);
        }
      }
    });

    it('a registry token does not open the REST API beyond what it grants', async () => {
      // A PAT limited to pull is exchanged for a registry token; that token must not act as the full user.
      const pat = await must(apiClient(berth.url, ALICE).post('/api/v1/tokens', { name: 'pull only', scopes: ['pull'], expiresInDays: 1 }), 201);
      secretsSeen.push(pat.body.token);
      const registryToken = (await getRegistryToken(berth.url, { username: 'alice', password: pat.body.token }, ['repository:llm/a:pull'])).token!;
      const viaToken = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${berth.url}${path}`, { method, headers: { ...withBearer(registryToken), 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
        return { status: res.status, body: (await res.json()) as unknown };
      };
      const minted = await viaToken('POST', '/api/v1/tokens', { name: 'escalated', scopes: ['admin'], expiresInDays: 1 });
      expect(minted.status).toBe(401);
      expect(codesOf(minted.body)).toEqual(['UNAUTHORIZED']);
      expect((await viaToken('GET', '/api/v1/projects/llm/members')).status).toBe(401);
    });
  });

  describe('robot accounts', () => {
    it('after rotation the old secret is refused (401) and the new one works', async () => {
      const created = await must(admin.post('/api/v1/projects/llm/robots', { name: 'ci', permissions: ['pull'], expiresInDays: 1 }), 201);
      const name: string = created.body.name;
      const first: string = created.body.secret;
      expect((await pullWith(withBasic(name, first))).status).toBe(200);
      const rotated = await must(admin.post(`/api/v1/projects/llm/robots/${created.body.id}/secret`), 200);
      const second: string = rotated.body.secret;
      secretsSeen.push(first, second);
      expect(second).not.toBe(first);
      expectUnauthorized(await pullWith(withBasic(name, first)));
      expect((await getRegistryToken(berth.url, { username: name, password: first }, ['repository:llm/a:pull'])).status).toBe(401);
      expect((await pullWith(withBasic(name, second))).status).toBe(200);
      expect(grantedActions((await getRegistryToken(berth.url, { username: name, password: second }, ['repository:llm/a:pull'])).token!, 'llm/a')).toEqual(['pull']);
      await audited('llm', '/v2/llm/a/manifests/1', 401);
    });

    it('a disabled robot is refused (401) everywhere', async () => {
      const created = await must(admin.post('/api/v1/projects/llm/robots', { name: 'soon-off', permissions: ['pull'], expiresInDays: 1 }), 201);
      const creds = { username: created.body.name as string, password: created.body.secret as string };
      secretsSeen.push(creds.password);
      expect((await pullWith(withBasic(creds.username, creds.password))).status).toBe(200);
      await must(admin.patch(`/api/v1/projects/llm/robots/${created.body.id}`, { disabled: true }), 200);
      expectUnauthorized(await pullWith(withBasic(creds.username, creds.password)));
      const token = await getRegistryToken(berth.url, creds, ['repository:llm/a:pull']);
      expect(token.status).toBe(401);
      expect(codesOf(token.body)).toEqual(['UNAUTHORIZED']);
      expect((await apiClient(berth.url, creds).get('/api/v1/users/current')).status).toBe(401);
    });

    it("a robot's secret under another robot's name is refused", async () => {
      const a = await must(admin.post('/api/v1/projects/llm/robots', { name: 'one', permissions: ['pull'], expiresInDays: 1 }), 201);
      await must(admin.post('/api/v1/projects/other/robots', { name: 'two', permissions: ['pull'], expiresInDays: 1 }), 201);
      secretsSeen.push(a.body.secret);
      expectUnauthorized(await pullWith(withBasic('robot$other+two', a.body.secret), 'other/x'));
    });
  });

  describe('personal access tokens', () => {
    const alice = () => apiClient(berth.url, ALICE);
    const newPat = async (scopes: string[]) => {
      const created = await must(alice().post('/api/v1/tokens', { name: `t-${scopes.join('-')}`, scopes, expiresInDays: 1 }), 201);
      secretsSeen.push(created.body.token);
      return { id: created.body.id as string, token: created.body.token as string };
    };

    it('a revoked token is refused (401)', async () => {
      const pat = await newPat(['pull']);
      expect((await pullWith(withBasic('alice', pat.token))).status).toBe(200);
      await must(alice().delete(`/api/v1/tokens/${pat.id}`), 204);
      expectUnauthorized(await pullWith(withBasic('alice', pat.token)));
      expectUnauthorized(await pullWith(withBearer(pat.token)));
      expect((await getRegistryToken(berth.url, { username: 'alice', password: pat.token }, ['repository:llm/a:pull'])).status).toBe(401);
    });

    it('an expired token is refused (401)', async () => {
      const pat = await newPat(['pull']);
      expect((await pullWith(withBasic('alice', pat.token))).status).toBe(200);
      const db = new Database(join(berth.dataDir, 'berth.db'));
      try {
        db.pragma('busy_timeout = 5000');
        expect(db.prepare('UPDATE access_tokens SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, pat.id).changes).toBe(1);
      } finally {
        db.close();
      }
      expectUnauthorized(await pullWith(withBasic('alice', pat.token)));
    });

    it('a token scoped to another project is refused with 403 DENIED (and grants nothing there)', async () => {
      await must(admin.put('/api/v1/projects/other/members/alice', { role: 'developer' }), 200);
      try {
        const pat = await newPat(['other:pull']);
        expect((await pullWith(withBasic('alice', pat.token), 'other/x')).status).toBe(200);
        const refused = await pullWith(withBasic('alice', pat.token));
        expect(refused.status).toBe(403);
        expect(codesOf(refused.body)).toEqual(['DENIED']);
        const token = (await getRegistryToken(berth.url, { username: 'alice', password: pat.token }, ['repository:llm/a:pull', 'repository:other/x:pull,push'])).token!;
        expect(grantedActions(token, 'llm/a')).toEqual([]);
        expect(grantedActions(token, 'other/x')).toEqual(['pull']);
        const entry = await audited('llm', '/v2/llm/a/manifests/1', 403);
        expect(entry).toMatchObject({ actor: 'alice', allowed: false });
      } finally {
        await admin.delete('/api/v1/projects/other/members/alice');
      }
    });

    it('an hf_-prefixed token works as Bearer and as a Basic password', async () => {
      const pat = await newPat(['pull']);
      expect((await pullWith(withBearer(`hf_${pat.token}`))).status).toBe(200);
      expect((await pullWith(withBasic('alice', `hf_${pat.token}`))).status).toBe(200);
      const issued = await getRegistryToken(berth.url, { username: 'alice', password: `hf_${pat.token}` }, ['repository:llm/a:pull']);
      expect(grantedActions(issued.token!, 'llm/a')).toEqual(['pull']);
    });

    it("a token under another user's name is refused", async () => {
      const pat = await newPat(['pull']);
      expectUnauthorized(await pullWith(withBasic('admin', pat.token)));
    });
  });

  describe('repository names', () => {
    // Paths are sent raw: fetch would resolve `..` before sending.
    const TRICKS = ['/v2/llm/../other/x/manifests/1', '/v2/llm/%2e%2e/other/x/manifests/1', '/v2/llm/%2E%2E%2Fother/x/manifests/1', '/v2/llm/a/..%2f..%2fother/x/manifests/1', '/v2/LLM/a/manifests/1', '/v2/Other/x/manifests/1'];

    it.each(TRICKS)('%s never reaches another project', async (path) => {
      for (const headers of [withBasic(ALICE.username, ALICE.password), withBearer(await aliceToken('repository:llm/../other/x:pull')), withBasic(ADMIN.username, ADMIN.password)]) {
        const res = await rawRequest(berth.url, 'GET', path, headers);
        expect(res.text).not.toContain('other-x');
        expect([400, 401, 403, 404], res.text).toContain(res.status);
        if (res.status === 400) expect(codesOf(JSON.parse(res.text))).toEqual(['NAME_INVALID']);
      }
      // The administrator may go anywhere, so the name itself must be what is refused.
      const asAdmin = await rawRequest(berth.url, 'GET', path, withBasic(ADMIN.username, ADMIN.password));
      expect(asAdmin.status).toBe(400);
      expect(codesOf(JSON.parse(asAdmin.text))).toEqual(['NAME_INVALID']);
    });

    it('a token granted for a `..` name opens nothing else', async () => {
      const token = await aliceToken('repository:llm/../other/x:pull');
      expectUnauthorized(await pullWith(withBearer(token), 'other/x'), 'insufficient_scope');
    });
  });

  describe('passwords', () => {
    it('repeated failed logins get slower, without locking the account', async () => {
      const durations: number[] = [];
      for (let i = 0; i < 8; i++) {
        const started = performance.now();
        const res = await getRegistryToken(berth.url, { username: 'victim', password: WRONG_PASSWORD }, ['repository:llm/a:pull']);
        durations.push(performance.now() - started);
        expect(res.status).toBe(401);
        expect(codesOf(res.body)).toEqual(['UNAUTHORIZED']);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      }
      // A behaviour check, not a benchmark: generous bounds on the ordering.
      expect(Math.min(...durations.slice(0, 3))).toBeLessThan(500);
      expect(durations[7]!).toBeGreaterThanOrEqual(200);
      expect(durations[7]!).toBeGreaterThan(durations[0]! + 150);
      // The right password still gets in (after the wait), and clears the record.
      expect((await getRegistryToken(berth.url, { username: 'victim', password: 'victim-password' }, [])).status).toBe(200);
      const started = performance.now();
      expect((await getRegistryToken(berth.url, { username: 'victim', password: WRONG_PASSWORD }, [])).status).toBe(401);
      expect(performance.now() - started).toBeLessThan(durations[7]!);
    });

    it('a wrong password on the registry and the REST API is refused with 401 and audited', async () => {
      expectUnauthorized(await pullWith(withBasic('alice', WRONG_PASSWORD)));
      const rest = await apiClient(berth.url, { username: 'alice', password: WRONG_PASSWORD }).get('/api/v1/projects/llm/members');
      expect(rest.status).toBe(401);
      expect(codesOf(rest.body)).toEqual(['UNAUTHORIZED']);
      const entry = await audited('llm', '/api/v1/projects/llm/members', 401);
      expect(entry.allowed).toBe(false);
    });

    it('wrong passwords and secrets never appear in server output', async () => {
      const output = berth.output();
      expect(output.length).toBeGreaterThan(0);
      const needles = [WRONG_PASSWORD, ALICE.password, ADMIN.password, ...secretsSeen];
      for (const needle of needles) {
        expect(output).not.toContain(needle);
        expect(output).not.toContain(Buffer.from(`alice:${needle}`).toString('base64'));
      }
      expect(output).not.toMatch(/scrypt\$/);
    });
  });

  describe('API responses', () => {
    const FORBIDDEN_KEY = /hash|^password$|^secret_?hash$/i;
    function keysOf(value: unknown, out: string[] = []): string[] {
      if (Array.isArray(value)) for (const v of value) keysOf(v, out);
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          out.push(k);
          keysOf(v, out);
        }
      }
      return out;
    }
    const expectClean = (reply: ApiReply) => {
      expect(reply.status, reply.text).toBeLessThan(300);
      expect(keysOf(reply.body).filter((k) => FORBIDDEN_KEY.test(k))).toEqual([]);
      expect(reply.text).not.toMatch(/scrypt\$/);
    };

    it('never contain password hashes or secret hashes', async () => {
      const robot = await must(admin.post('/api/v1/projects/llm/robots', { name: 'listed', permissions: ['pull', 'push'], expiresInDays: 1 }), 201);
      expectClean(robot);
      const rotated = await admin.post(`/api/v1/projects/llm/robots/${robot.body.id}/secret`);
      expectClean(rotated);
      const pat = await alicePat();
      expectClean(pat);
      for (const reply of [
        await admin.get('/api/v1/users'),
        await admin.get('/api/v1/users/current'),
        await admin.get('/api/v1/users/alice'),
        await admin.get('/api/v1/projects/llm/robots'),
        await admin.get('/api/v1/projects/llm/members'),
        await admin.get('/api/v1/audit?limit=1000'),
        await apiClient(berth.url, ALICE).get('/api/v1/tokens'),
        await apiClient(berth.url, ALICE).get('/api/v1/users/current'),
      ]) {
        expectClean(reply);
        // Secrets are shown once, at creation or rotation, never in listings.
        expect(keysOf(reply.body)).not.toContain('secret');
        expect(keysOf(reply.body)).not.toContain('token');
      }
    });

    const alicePat = () => apiClient(berth.url, ALICE).post('/api/v1/tokens', { name: 'listing', scopes: ['pull'], expiresInDays: 1 });
  });
});
