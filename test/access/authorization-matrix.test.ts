// Who may do what, end to end: every principal (anonymous, each Harbor project role, a non-member,
// robots, a system administrator) × every action (pull, push, delete, tag create/delete, member and
// robot management, audit) × a private and a public project, through the real interfaces of one
// listening Berth: the registry through the Docker token flow, the REST API with Basic credentials.
// Expectations come from the explicit tables below (Harbor's rbac_role.go), never from Berth's code.
// https://github.com/goharbor/harbor/blob/main/src/common/rbac/project/rbac_role.go
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import {
  apiClient,
  codesOf,
  getRegistryToken,
  grantedActions,
  imageOf,
  must,
  mustPushImage,
  parseChallenge,
  pushImageAs,
  putManifestAs,
  RegistryClient,
  withBasic,
  type Credentials,
} from '../support/registry-auth.js';

const ADMIN: Credentials = { username: 'admin', password: 'xxxxxxxx' };

const PRINCIPALS = ['anonymous', 'projectAdmin', 'maintainer', 'developer', 'guest', 'limitedGuest', 'nonMember', 'robotPull', 'robotPush', 'sysadmin'] as const;
type PrincipalName = (typeof PRINCIPALS)[number];

const ACTIONS = ['pull', 'push', 'delete', 'tag.create', 'tag.delete', 'members.manage', 'robots.manage', 'audit.read'] as const;
type ActionName = (typeof ACTIONS)[number];
const OCI_ACTIONS: readonly ActionName[] = ['pull', 'push', 'delete', 'tag.create', 'tag.delete'];

const PROJECTS = { private: 'priv', public: 'pub' } as const;
type Visibility = keyof typeof PROJECTS;

// Y = allowed, - = refused. Columns follow ACTIONS.
//                                  pull push del  tag+ tag- mem  rob  audit
const PRIVATE_TABLE: Record<PrincipalName, string> = {
  anonymous: /*                 */ '-    -    -    -    -    -    -    -',
  projectAdmin: /*              */ 'Y    Y    Y    Y    Y    Y    Y    Y',
  maintainer: /*                */ 'Y    Y    Y    Y    Y    -    -    -',
  developer: /*                 */ 'Y    Y    -    Y    -    -    -    -',
  guest: /*                     */ 'Y    -    -    -    -    -    -    -',
  limitedGuest: /*              */ 'Y    -    -    -    -    -    -    -',
  nonMember: /*                 */ '-    -    -    -    -    -    -    -',
  robotPull: /*                 */ 'Y    -    -    -    -    -    -    -',
  robotPush: /*                 */ 'Y    Y    -    Y    -    -    -    -',
  sysadmin: /*                  */ 'Y    Y    Y    Y    Y    Y    Y    Y',
};
// A public project differs only in that everyone may pull.
const PUBLIC_TABLE: Record<PrincipalName, string> = {
  ...PRIVATE_TABLE,
  anonymous: /*                 */ 'Y    -    -    -    -    -    -    -',
  nonMember: /*                 */ 'Y    -    -    -    -    -    -    -',
};

function expected(visibility: Visibility, principal: PrincipalName, action: ActionName): boolean {
  const row = (visibility === 'private' ? PRIVATE_TABLE : PUBLIC_TABLE)[principal].split(/\s+/);
  return row[ACTIONS.indexOf(action)] === 'Y';
}

/** Every cell of the matrix. */
const CELLS = (Object.keys(PROJECTS) as Visibility[]).flatMap((visibility) =>
  PRINCIPALS.flatMap((principal) => ACTIONS.map((action) => ({ visibility, principal, action, allowed: expected(visibility, principal, action) }))),
);

const MEMBER_ROLES = ['projectAdmin', 'maintainer', 'developer', 'guest', 'limitedGuest'] as const;
const userOf = (principal: PrincipalName) => `u-${principal.toLowerCase()}`;
const passwordOf = (principal: PrincipalName) => `pw-${principal}-0123`;

describe('authorization matrix', () => {
  let berth: BerthProcess;
  /** Credentials of each principal in each project (robots belong to one project). */
  const creds = new Map<string, Credentials | undefined>();
  const credsFor = (visibility: Visibility, principal: PrincipalName) => creds.get(`${visibility}/${principal}`);
  let admin: RegistryClient;
  /** The image every pull and tag cell uses, per project. */
  const base = new Map<Visibility, ReturnType<typeof imageOf>>();
  /** Per cell fixtures: the image a delete cell deletes. */
  const doomed = new Map<string, string>();

  beforeAll(async () => {
    berth = await startBerth({ adminPassword: ADMIN.password });
    admin = new RegistryClient(berth.url, ADMIN);
    const api = apiClient(berth.url, ADMIN);
    for (const principal of [...MEMBER_ROLES, 'nonMember', 'sysadmin'] as const) {
      await must(api.post('/api/v1/users', { username: userOf(principal), password: passwordOf(principal), sysadmin: principal === 'sysadmin' }), 201);
    }
    await must(api.post('/api/v1/users', { username: 'bystander', password: 'bystander-pw' }), 201);
    for (const [visibility, project] of Object.entries(PROJECTS) as Array<[Visibility, string]>) {
      await must(api.post('/api/v1/projects', { name: project, public: visibility === 'public' }), 201);
      for (const role of MEMBER_ROLES) await must(api.put(`/api/v1/projects/${project}/members/${userOf(role)}`, { role }), 200);
      for (const principal of PRINCIPALS) {
        if (principal === 'anonymous') creds.set(`${visibility}/${principal}`, undefined);
        else if (principal === 'robotPull' || principal === 'robotPush') {
          const permissions = principal === 'robotPull' ? ['pull'] : ['pull', 'push'];
          const robot = await must(api.post(`/api/v1/projects/${project}/robots`, { name: principal.toLowerCase(), permissions, expiresInDays: 1 }), 201);
          expect(robot.body.name).toBe(`robot$${project}+${principal.toLowerCase()}`);
          creds.set(`${visibility}/${principal}`, { username: robot.body.name, password: robot.body.secret });
        } else creds.set(`${visibility}/${principal}`, { username: userOf(principal), password: passwordOf(principal) });
      }
      const image = (await mustPushImage(admin, `${project}/m`, 'base', `${project}-base`)) as ReturnType<typeof imageOf>;
      base.set(visibility, image);
      for (const principal of PRINCIPALS) {
        const victim = await mustPushImage(admin, `${project}/m`, `del-${principal}`, `${project}-del-${principal}`);
        doomed.set(`${visibility}/${principal}`, victim.digest);
        const tagged = await putManifestAs(admin, `${project}/m`, `untag-${principal}`, image.bytes);
        expect(tagged.status).toBe(201);
      }
    }
  });

  afterAll(async () => {
    await berth?.dispose();
  });

  /** Whether `reference` currently resolves in `repo`, asked as the administrator. */
  const exists = async (repo: string, reference: string) => (await admin.fetch(`/v2/${repo}/manifests/${reference}`, { method: 'HEAD' })).status === 200;

  /** Performs one OCI action as `client`; returns the deciding response and a check of its effect. */
  async function ociAction(client: RegistryClient, visibility: Visibility, principal: PrincipalName, action: ActionName) {
    const project = PROJECTS[visibility];
    const repo = `${project}/m`;
    const image = base.get(visibility)!;
    switch (action) {
      case 'pull': {
        const res = await client.fetch(`/v2/${repo}/manifests/base`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
        return { res, effect: async (ok: boolean) => ok && expect(res.headers.get('docker-content-digest')).toBe(image.digest) };
      }
      case 'push': {
        const pushed = await pushImageAs(client, repo, `push-${principal}`, `${project}-push-${principal}`, [`layer of ${principal}`]);
        return { res: pushed.res, effect: async (ok: boolean) => expect(await exists(repo, `push-${principal}`)).toBe(ok) };
      }
      case 'delete': {
        const digest = doomed.get(`${visibility}/${principal}`)!;
        const res = await client.fetch(`/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
        return { res, effect: async (ok: boolean) => expect(await exists(repo, digest)).toBe(!ok) };
      }
      case 'tag.create': {
        const res = await putManifestAs(client, repo, `tag-${principal}`, image.bytes);
        return { res, effect: async (ok: boolean) => expect(await exists(repo, `tag-${principal}`)).toBe(ok) };
      }
      case 'tag.delete': {
        const res = await client.fetch(`/v2/${repo}/manifests/untag-${principal}`, { method: 'DELETE' });
        return {
          res,
          effect: async (ok: boolean) => {
            expect(await exists(repo, `untag-${principal}`)).toBe(!ok);
            expect(await exists(repo, image.digest)).toBe(true); // untagging never deletes the manifest
          },
        };
      }
      default:
        throw new Error(`not an OCI action: ${action}`);
    }
  }

  /** The scope a refused OCI action is challenged for. */
  const scopeOf = (project: string, action: ActionName) =>
    `repository:${project}/m:${action === 'pull' ? 'pull' : action === 'delete' || action === 'tag.delete' ? 'delete' : 'pull,push'}`;

  it.each(CELLS.filter((c) => OCI_ACTIONS.includes(c.action)).map((c) => ({ ...c, name: `${c.visibility} project: ${c.principal} ${c.allowed ? 'may' : 'may not'} ${c.action}` })))(
    'registry: $name',
    async ({ visibility, principal, action, allowed }) => {
      const project = PROJECTS[visibility];
      const who = credsFor(visibility, principal);
      const client = new RegistryClient(berth.url, who);
      const { res, effect } = await ociAction(client, visibility, principal, action);
      const body = await res.text();
      if (allowed) {
        expect(res.status, body).toBe(action === 'pull' ? 200 : action === 'delete' || action === 'tag.delete' ? 202 : 201);
        await effect(true);
        return;
      }
      // Refused through the token flow: 401 with a Bearer challenge naming the scope. A caller that
      // presented a token is told insufficient_scope; its credentials were fine, its grant was not.
      expect(res.status, body).toBe(401);
      expect(codesOf(JSON.parse(body))).toEqual(['UNAUTHORIZED']);
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      expect(challenge).toEqual({
        scheme: 'bearer',
        params: { realm: `${berth.url}/auth/token`, service: 'berth', scope: scopeOf(project, action), error: 'insufficient_scope' },
      });
      if (principal === 'anonymous') {
        // The very first answer an anonymous client gets is the plain challenge.
        expect(client.firstChallenge).toBe(`Bearer realm="${berth.url}/auth/token",service="berth",scope="${scopeOf(project, action)}"`);
      } else {
        // The same credentials sent directly as Basic are authenticated and then refused: 403 DENIED.
        const basic = new RegistryClient(berth.url);
        const headers = withBasic(who!.username, who!.password);
        const direct = await basicAction(basic, headers, project, principal, action);
        expect(direct.status, direct.text).toBe(403);
        expect(codesOf(JSON.parse(direct.text))).toEqual(['DENIED']);
      }
      await effect(false);
    },
  );

  /** The first request of an OCI action, sent with Basic credentials and no token dance. */
  async function basicAction(client: RegistryClient, headers: Record<string, string>, project: string, principal: PrincipalName, action: ActionName) {
    const repo = `${project}/m`;
    const visibility = project === PROJECTS.private ? 'private' : 'public';
    const request =
      action === 'pull'
        ? fetch(`${client.base}/v2/${repo}/manifests/base`, { headers })
        : action === 'push'
          ? fetch(`${client.base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers })
          : action === 'delete'
            ? fetch(`${client.base}/v2/${repo}/manifests/${doomed.get(`${visibility}/${principal}`)}`, { method: 'DELETE', headers })
            : action === 'tag.create'
              ? fetch(`${client.base}/v2/${repo}/manifests/tag-${principal}`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: base.get(visibility)!.bytes })
              : fetch(`${client.base}/v2/${repo}/manifests/untag-${principal}`, { method: 'DELETE', headers });
    const res = await request;
    return { status: res.status, text: await res.text() };
  }

  it.each(CELLS.filter((c) => !OCI_ACTIONS.includes(c.action)).map((c) => ({ ...c, name: `${c.visibility} project: ${c.principal} ${c.allowed ? 'may' : 'may not'} ${c.action}` })))(
    'REST API: $name',
    async ({ visibility, principal, action, allowed }) => {
      const project = PROJECTS[visibility];
      const api = apiClient(berth.url, credsFor(visibility, principal));
      const reply =
        action === 'members.manage'
          ? await api.put(`/api/v1/projects/${project}/members/bystander`, { role: 'guest' })
          : action === 'robots.manage'
            ? await api.post(`/api/v1/projects/${project}/robots`, { name: `by-${principal.toLowerCase()}`, permissions: ['pull'], expiresInDays: 1 })
            : await api.get(`/api/v1/projects/${project}/audit`);
      if (allowed) {
        expect(reply.status, reply.text).toBe(action === 'robots.manage' ? 201 : 200);
        if (action === 'members.manage') expect(reply.body).toEqual({ username: 'bystander', role: 'guest' });
        if (action === 'robots.manage') expect(reply.body.secret).toMatch(/^berth_robot_\d+_[A-Za-z0-9_-]{43}$/);
        if (action === 'audit.read') expect(Array.isArray(reply.body)).toBe(true);
        return;
      }
      // Anonymous: 401 with a challenge. A caller who cannot see the project at all (it may not even
      // pull) gets 404, as if it did not exist; one who can see it is refused with 403 DENIED.
      const seesProject = expected(visibility, principal, 'pull');
      const [status, code] = principal === 'anonymous' ? [401, 'UNAUTHORIZED'] : seesProject ? [403, 'DENIED'] : [404, 'NOT_FOUND'];
      expect(reply.status, reply.text).toBe(status);
      expect(codesOf(reply.body)).toEqual([code]);
      if (status === 401) expect(reply.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      if (action === 'robots.manage') {
        const robots = await apiClient(berth.url, ADMIN).get(`/api/v1/projects/${project}/robots`);
        expect(robots.body.map((r: { name: string }) => r.name)).not.toContain(`robot$${project}+by-${principal.toLowerCase()}`);
      }
    },
  );

  // The token endpoint grants the intersection of what was asked and what the caller may do, and
  // asking for more than that is never an error.
  const INTERSECTIONS: Array<{ who: PrincipalName; visibility: Visibility; asked: string; granted: string[] }> = [
    { who: 'guest', visibility: 'private', asked: 'pull,push', granted: ['pull'] },
    { who: 'guest', visibility: 'private', asked: 'push', granted: [] },
    { who: 'guest', visibility: 'private', asked: 'pull,push,delete', granted: ['pull'] },
    { who: 'limitedGuest', visibility: 'private', asked: '*', granted: ['pull'] },
    { who: 'developer', visibility: 'private', asked: 'pull,push,delete', granted: ['pull', 'push'] },
    { who: 'maintainer', visibility: 'private', asked: '*', granted: ['delete', 'pull', 'push'] },
    { who: 'robotPull', visibility: 'private', asked: 'pull,push', granted: ['pull'] },
    { who: 'robotPush', visibility: 'public', asked: 'pull,push,delete', granted: ['pull', 'push'] },
    { who: 'nonMember', visibility: 'private', asked: 'pull,push', granted: [] },
    { who: 'nonMember', visibility: 'public', asked: 'pull,push', granted: ['pull'] },
    { who: 'anonymous', visibility: 'private', asked: 'pull', granted: [] },
    { who: 'anonymous', visibility: 'public', asked: 'pull,push', granted: ['pull'] },
    { who: 'sysadmin', visibility: 'private', asked: '*', granted: ['delete', 'pull', 'push'] },
  ];

  it.each(INTERSECTIONS)('token endpoint: $who asking $asked on the $visibility project is granted [$granted]', async ({ who, visibility, asked, granted }) => {
    const repo = `${PROJECTS[visibility]}/m`;
    const issued = await getRegistryToken(berth.url, credsFor(visibility, who), [`repository:${repo}:${asked}`]);
    expect(issued.status, issued.text).toBe(200);
    expect(issued.body?.access_token).toBe(issued.token);
    expect(grantedActions(issued.token!, repo)).toEqual(granted);
  });

  it('token endpoint: the OAuth2 password grant intersects the same way', async () => {
    const guest = credsFor('private', 'guest')!;
    const form = new URLSearchParams({ grant_type: 'password', service: 'berth', client_id: 'test', username: guest.username, password: guest.password, scope: 'repository:priv/m:pull,push repository:pub/m:delete' });
    const res = await fetch(`${berth.url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const body = (await res.json()) as { access_token: string };
    expect(res.status).toBe(200);
    expect(grantedActions(body.access_token, 'priv/m')).toEqual(['pull']);
    expect(grantedActions(body.access_token, 'pub/m')).toEqual([]);
  });

  it('token endpoint: a guest token for pull,push pulls but cannot push', async () => {
    const guest = credsFor('private', 'guest')!;
    const issued = await getRegistryToken(berth.url, guest, ['repository:priv/m:pull,push']);
    const pull = await fetch(`${berth.url}/v2/priv/m/manifests/base`, { headers: { authorization: `Bearer ${issued.token}` } });
    expect(pull.status).toBe(200);
    const push = await fetch(`${berth.url}/v2/priv/m/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${issued.token}` } });
    expect(push.status).toBe(401);
    expect(parseChallenge(push.headers.get('www-authenticate'))?.params.error).toBe('insufficient_scope');
  });
});
