// Tag immutability against a real listening Berth with access control on: skopeo cannot move an
// immutable tag (its exit status and message say so) while pushes to other tags and the same manifest
// again go through; OCI DELETEs of the tag and of its digest get 403 DENIED in the OCI envelope; a
// model version whose manifest an immutable tag protects cannot be deleted; disabling the rule lets the
// move through at once. Also the permission matrix, bad input, and the `berth immutable` CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCli, runCliOk } from '../support/cli.js';
import { writeImageLayout, writeModelPackLayout, type Layout } from '../support/oci-layouts.js';
import { apiClient, codesOf, must, RegistryClient, type Credentials } from '../support/registry-auth.js';
import { expectSkopeoOk as ok, runSkopeo as skopeo } from '../support/skopeo.js';
import { toolAvailable } from '../support/tools.js';

const HAVE_SKOPEO = toolAvailable('skopeo');
const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };
const users = { maint: 'maintainer', dev: 'developer', guest: 'guest' } as const;
const creds = (name: keyof typeof users): Credentials => ({ username: name, password: `${name}-password-1` });
const RULES = '/api/v1/projects/team/immutable-rules';

describe.skipIf(!HAVE_SKOPEO)('tag immutability', () => {
  let berth: BerthProcess;
  let work: string;
  let image: Layout;
  let model: Layout;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-immutable-'));
    berth = await startBerth({ adminPassword: ADMIN.password });
    const admin = apiClient(berth.url, ADMIN);
    await must(admin.post('/api/v1/projects', { name: 'team' }), 201);
    for (const [name, role] of Object.entries(users)) {
      await must(admin.post('/api/v1/users', { username: name, password: creds(name as keyof typeof users).password }), 201);
      await must(admin.put(`/api/v1/projects/team/members/${name}`, { role }), 200);
    }
    image = writeImageLayout(join(work, 'image'));
    model = writeModelPackLayout(join(work, 'model'));
  });

  afterAll(async () => {
    await berth?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const copy = (layout: Layout, target: string) =>
    skopeo(['--insecure-policy', 'copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `${ADMIN.username}:${ADMIN.password}`, `oci:${layout.dir}:${layout.tag}`, `docker://${berth.host}/${target}`]);
  const digestOf = async (repo: string, tag: string) => {
    const res = await new RegistryClient(berth.url, ADMIN).fetch(`/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    return res.status === 200 ? res.headers.get('docker-content-digest') : null;
  };

  it('lets maintainers manage rules, guests read them, and nobody else', async () => {
    const body = { repository: '**', tag: 'v*' };
    const dev = await apiClient(berth.url, creds('dev')).post(RULES, body);
    expect(dev.status).toBe(403);
    expect(codesOf(dev.body)).toEqual(['DENIED']);
    expect((await apiClient(berth.url).get(RULES)).status).toBe(401);
    const created = await must(apiClient(berth.url, creds('maint')).post(RULES, body), 201);
    expect(created.body).toMatchObject({ project: 'team', repository: '**', tag: 'v*', repositoryDecoration: 'matches', tagDecoration: 'matches', disabled: false, createdBy: 'maint' });
    const listed = await must(apiClient(berth.url, creds('guest')).get(RULES), 200);
    expect(listed.body.map((r: { id: number }) => r.id)).toEqual([created.body.id]);
    expect((await apiClient(berth.url, creds('guest')).patch(`${RULES}/${created.body.id}`, { disabled: true })).status).toBe(403);
    expect((await apiClient(berth.url, creds('dev')).delete(`${RULES}/${created.body.id}`)).status).toBe(403);
    expect((await must(apiClient(berth.url, creds('dev')).get(`${RULES}/${created.body.id}`), 200)).body.tag).toBe('v*');
  });

  it('keeps an immutable tag where it is and says why; other tags and the same manifest still push', async () => {
    const [rule] = (await must(apiClient(berth.url, ADMIN).get(RULES), 200)).body;
    // Pushed while the rule exists: creating a matching tag is fine.
    await copy(image, `team/app:${'v1'}`).then(ok);
    expect(await digestOf('team/app', 'v1')).toBe(image.manifestDigest);

    const moved = await copy(model, 'team/app:v1');
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain(`tag v1 of team/app is immutable (rule ${rule.id})`);
    expect(await digestOf('team/app', 'v1')).toBe(image.manifestDigest);

    ok(await copy(model, 'team/app:latest'));
    expect(await digestOf('team/app', 'latest')).toBe(model.manifestDigest);
    ok(await copy(image, 'team/app:v1'));
    expect(await digestOf('team/app', 'v1')).toBe(image.manifestDigest);
  });

  it('refuses OCI deletes of the tag and of its digest with DENIED in the OCI envelope', async () => {
    const client = new RegistryClient(berth.url, ADMIN);
    for (const reference of ['v1', image.manifestDigest]) {
      const res = await client.fetch(`/v2/team/app/manifests/${reference}`, { method: 'DELETE' });
      expect(res.status, reference).toBe(403);
      const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
      expect(body.errors).toEqual([expect.objectContaining({ code: 'DENIED', message: expect.stringMatching(/^tag v1 of team\/app is immutable \(rule \d+\)/) })]);
    }
    expect(await digestOf('team/app', 'v1')).toBe(image.manifestDigest);
    // A tag no rule covers still goes.
    ok(await copy(image, 'team/app:scratch'));
    expect((await client.fetch('/v2/team/app/manifests/scratch', { method: 'DELETE' })).status).toBe(202);
  });

  it('refuses deleting a model version whose manifest an immutable tag protects, changing nothing', async () => {
    ok(await copy(model, 'team/tiny:v2'));
    const admin = apiClient(berth.url, ADMIN);
    const version = await must(admin.get('/api/v1/models/team/tiny/versions/v2'), 200);
    expect(version.body.digest).toBe(model.manifestDigest);
    const refused = await admin.delete('/api/v1/models/team/tiny/versions/v2');
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].message).toMatch(/tag v2 of team\/tiny is immutable/);
    expect((await must(admin.get('/api/v1/models/team/tiny/versions/v2'), 200)).body.state).toBe('LIVE');
    expect(await digestOf('team/tiny', 'v2')).toBe(model.manifestDigest);
    expect((await admin.delete('/api/v1/models/team/tiny')).status).toBe(403);
  });

  it('lets the move through once the rule is disabled', async () => {
    const maint = apiClient(berth.url, creds('maint'));
    const [rule] = (await must(maint.get(RULES), 200)).body;
    expect((await must(maint.patch(`${RULES}/${rule.id}`, { disabled: true }), 200)).body.disabled).toBe(true);
    ok(await copy(model, 'team/app:v1'));
    expect(await digestOf('team/app', 'v1')).toBe(model.manifestDigest);
    await must(maint.patch(`${RULES}/${rule.id}`, { disabled: false }), 200);
  });

  it('explains bad input and changes nothing', async () => {
    const admin = apiClient(berth.url, ADMIN);
    const before = (await must(admin.get(RULES), 200)).body;
    for (const body of [{ tag: '{a,b' }, { tag: 'v*', repository: '[abc' }, { tag: '' }, { repository: '**' }, { tag: 'v*', extra: 1 }, { tag: 'v*', tagDecoration: 'sometimes' }]) {
      const res = await admin.post(RULES, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(codesOf(res.body)).toEqual(['INVALID']);
    }
    expect((await admin.post(RULES, { tag: '{a,b' })).body.errors[0].message).toMatch(/malformed pattern "\{a,b"/);
    expect((await admin.patch(`${RULES}/${before[0].id}`, { repository: 'x}' })).status).toBe(400);
    expect((await admin.post('/api/v1/projects/nope/immutable-rules', { tag: 'v*' })).status).toBe(404);
    expect((await admin.patch(`${RULES}/9999`, { disabled: true })).status).toBe(404);
    expect((await admin.delete(`${RULES}/9999`)).status).toBe(404);
    expect((await admin.get(`${RULES}/abc`)).status).toBe(400);
    expect((await must(admin.get(RULES), 200)).body).toEqual(before);
  });

  it('adds, lists and removes rules with the berth CLI', async () => {
    const env = { XDG_CONFIG_HOME: join(work, 'config'), BERTH_TOKEN: '', BERTH_SERVER: '' };
    const cli = (...args: string[]) => runCliOk(['immutable', ...args, '--server', berth.url, '--creds', `${ADMIN.username}:${ADMIN.password}`], env);
    const added = JSON.parse((await cli('add', 'team', '--repo', 'llama/*', '--tag', '{prod,release-*}', '--json')).stdout);
    expect(added).toMatchObject({ repository: 'llama/*', tag: '{prod,release-*}', disabled: false });
    const table = (await cli('ls', 'team')).stdout;
    expect(table).toMatch(/^ID\s+REPOSITORY\s+REPOSITORYDECORATION\s+TAG/);
    expect(table).toContain('{prod,release-*}');
    expect((await cli('set', 'team', String(added.id), '--disable', '--json')).stdout).toMatch(/"disabled": true/);
    await cli('rm', 'team', String(added.id));
    expect(JSON.parse((await cli('ls', 'team', '--json')).stdout).map((r: { id: number }) => r.id)).not.toContain(added.id);
    const bad = await runCli(['immutable', 'add', 'team', '--tag', '{x', '--server', berth.url, '--creds', `${ADMIN.username}:${ADMIN.password}`], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/malformed pattern/);
    const badId = await runCli(['immutable', 'rm', 'team', 'seven', '--server', berth.url], env);
    expect(badId.stderr).toMatch(/not a rule id/);
  });
});
