// The repositories/artifacts REST API against a real listening Berth with access control on: listings
// with counts, X-Total-Count and Link paging, the name filter; artifacts newest first with tags, sizes
// as computed from the pushed manifests, pull times (flushed fast through BERTH_PULL_TIMES_FLUSH_MS),
// immutability and the bound model version; who may read and delete; repository deletes refused
// whole while an immutable tag is there, else leaving OCI 404s and artifact.deleted webhooks; bad
// input answered 400 changing nothing; and the `berth repo` / `berth artifact` CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCli, runCliOk } from '../support/cli.js';
import { writeModelFixture } from '../support/model-fixtures.js';
import { apiClient, codesOf, eventually, must, mustPushImage, RegistryClient, type Credentials } from '../support/registry-auth.js';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };
const MAINT: Credentials = { username: 'maint', password: 'maint-password-1' };
const GUEST: Credentials = { username: 'guest', password: 'guest-password-1' };
const REPOS = '/api/v1/projects/team/repositories';
const OCI_ACCEPT = { accept: 'application/vnd.oci.image.manifest.v1+json' };

type Pushed = Awaited<ReturnType<typeof mustPushImage>>;
const sizeOf = (p: Pushed) => Buffer.byteLength(p.bytes) + Buffer.byteLength(p.config) + p.layers.reduce((sum, l) => sum + Buffer.byteLength(l), 0);

describe('repositories and artifacts API', () => {
  let berth: BerthProcess;
  let receiver: WebhookReceiver;
  let work: string;
  let oci: RegistryClient;
  const admin = () => apiClient(berth.url, ADMIN);
  const manifestStatus = async (repo: string, ref: string) => (await oci.fetch(`/v2/${repo}/manifests/${ref}`, { headers: OCI_ACCEPT })).status;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-repos-'));
    receiver = await startReceiver();
    berth = await startBerth({ adminPassword: ADMIN.password, env: { BERTH_PULL_TIMES_FLUSH_MS: '100' } });
    oci = new RegistryClient(berth.url, ADMIN);
    await must(admin().post('/api/v1/projects', { name: 'team' }), 201);
    await must(admin().post('/api/v1/projects', { name: 'pub', public: true }), 201);
    for (const [creds, role] of [[MAINT, 'maintainer'], [GUEST, 'guest']] as const) {
      await must(admin().post('/api/v1/users', creds), 201);
      await must(admin().put(`/api/v1/projects/team/members/${creds.username}`, { role }), 200);
    }
    await must(admin().post('/api/v1/projects/team/webhooks', { url: receiver.url, events: ['artifact.deleted'] }), 201);
    for (const name of ['r1', 'r2', 'r3', 'x/deep', 'other']) await mustPushImage(oci, `team/${name}`, 'v1');
    await mustPushImage(oci, 'team/r3', 'v2');
    await mustPushImage(oci, 'pub/open', 'v1');
  }, 60_000);

  afterAll(async () => {
    await berth?.dispose();
    await receiver?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists repositories by name with counts, paged with X-Total-Count and Link, and filtered by q', async () => {
    const first = await must(admin().get(`${REPOS}?page_size=2`), 200);
    expect(first.headers.get('x-total-count')).toBe('5');
    expect(first.body.map((r: { name: string }) => r.name)).toEqual(['other', 'r1']);
    expect(first.headers.get('link')).toBe(`<${REPOS}?page_size=2&page=2>; rel="next"`);
    const second = await must(admin().get(`${REPOS}?page=2&page_size=2`), 200);
    expect(second.body).toEqual([
      { name: 'r2', fullName: 'team/r2', artifactCount: 1, tagCount: 1, updatedAt: expect.any(String) },
      { name: 'r3', fullName: 'team/r3', artifactCount: 2, tagCount: 2, updatedAt: expect.any(String) },
    ]);
    expect(second.headers.get('link')).toContain('rel="next"');
    const last = await must(admin().get(`${REPOS}?page=3&page_size=2`), 200);
    expect(last.body.map((r: { name: string }) => r.name)).toEqual(['x/deep']);
    expect(last.headers.get('link')).toBe(`<${REPOS}?page=2&page_size=2>; rel="prev"`);
    const filtered = await must(admin().get(`${REPOS}?q=R`), 200);
    expect(filtered.body.map((r: { name: string }) => r.name)).toEqual(['other', 'r1', 'r2', 'r3']);
    expect(filtered.headers.get('x-total-count')).toBe('4');
    const one = await must(admin().get(`${REPOS}/x%2Fdeep`), 200);
    expect(one.body).toMatchObject({ name: 'x/deep', artifactCount: 1, tagCount: 1 });
    expect(codesOf((await admin().get(`${REPOS}/nothing`)).body)).toEqual(['NOT_FOUND']);
  });

  it('lists artifacts newest first with tags, sizes, pull times and immutability', async () => {
    const old = await mustPushImage(oci, 'team/app', 'v1', 'old', ['a', 'bb']);
    const fresh = await mustPushImage(oci, 'team/app', 'v2', 'new', ['ccc']);
    await mustPushImage(oci, 'team/app', 'latest', 'new', ['ccc']);
    await must(admin().post('/api/v1/projects/team/immutable-rules', { repository: 'app', tag: 'v1' }), 201);
    const listed = await must(admin().get(`${REPOS}/app/artifacts`), 200);
    expect(listed.headers.get('x-total-count')).toBe('2');
    expect(listed.body).toEqual([
      expect.objectContaining({ digest: fresh.digest, size: sizeOf(fresh), pulledAt: null, subject: null, mediaType: 'application/vnd.oci.image.manifest.v1+json',
        tags: [{ name: 'latest', pushedAt: expect.any(String), immutable: false }, { name: 'v2', pushedAt: expect.any(String), immutable: false }] }),
      expect.objectContaining({ digest: old.digest, size: sizeOf(old), pulledAt: null, tags: [{ name: 'v1', pushedAt: expect.any(String), immutable: true }] }),
    ]);
    expect(listed.body[0].modelVersion).toBeUndefined();
    expect((await must(admin().get(`${REPOS}/app/artifacts?with_tag=false`), 200)).body[0].tags).toBeUndefined();

    expect(await manifestStatus('team/app', 'v1')).toBe(200);
    const pulled = await eventually(async () => {
      const body = (await must(admin().get(`${REPOS}/app/artifacts/v1`), 200)).body;
      return body.pulledAt ? body : undefined;
    }, 'the pull time of team/app:v1');
    expect(Date.parse(pulled.pulledAt)).toBeGreaterThanOrEqual(Date.parse(pulled.pushedAt));
    expect(pulled.references.map((r: { digest: string; kind: string }) => r.kind)).toEqual(['config', 'layer', 'layer']);
    expect(pulled.references.reduce((s: number, r: { size: number }) => s + r.size, 0) + Buffer.byteLength(old.bytes)).toBe(sizeOf(old));
    expect((await must(admin().get(`${REPOS}/app/artifacts/${fresh.digest}`), 200)).body.pulledAt).toBeNull();
  });

  it('shows the model version a ModelPack artifact is bound to, and its file paths', async () => {
    const dir = join(work, 'model');
    await writeModelFixture(dir);
    await runCliOk(['push', dir, `${berth.host}/team/llm:v1`, '--creds', `${ADMIN.username}:${ADMIN.password}`, '--quiet'], { XDG_CACHE_HOME: join(work, 'cache'), BERTH_TOKEN: '' });
    const [artifact] = (await must(admin().get(`${REPOS}/llm/artifacts`), 200)).body;
    expect(artifact.modelVersion).toMatchObject({ model: 'team/llm', version: 'v1' });
    const detail = await must(admin().get(`${REPOS}/llm/artifacts/v1`), 200);
    expect(detail.body.references.map((r: { filepath?: string }) => r.filepath)).toContain('config.json');
  });

  it('lets whoever may pull read, guests not delete, anonymous only public projects', async () => {
    const anon = apiClient(berth.url);
    expect((await must(anon.get('/api/v1/projects/pub/repositories'), 200)).body.map((r: { name: string }) => r.name)).toEqual(['open']);
    expect((await must(anon.get('/api/v1/projects/pub/repositories/open/artifacts'), 200)).body).toHaveLength(1);
    for (const path of [REPOS, `${REPOS}/r1`, `${REPOS}/r1/artifacts`, `${REPOS}/r1/artifacts/v1`]) {
      const res = await anon.get(path);
      expect(res.status, path).toBe(404);
      expect(codesOf(res.body)).toEqual(['NOT_FOUND']);
    }
    const guest = apiClient(berth.url, GUEST);
    expect((await must(guest.get(REPOS), 200)).headers.get('x-total-count')).toBe(String((await admin().get(REPOS)).body.length));
    expect((await guest.delete(`${REPOS}/r1`)).status).toBe(403);
    expect((await guest.delete(`${REPOS}/r1/artifacts/v1`)).status).toBe(403);
    expect((await anon.delete(`${REPOS}/r1`)).status).toBe(401);
    expect((await anon.delete('/api/v1/projects/pub/repositories/open')).status).toBe(401);
    expect(await manifestStatus('team/r1', 'v1')).toBe(200);
  });

  it('refuses a repository delete while an immutable tag is in it, changing nothing', async () => {
    const refused = await apiClient(berth.url, MAINT).delete(`${REPOS}/app`);
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringContaining('tag v1 of team/app is immutable') });
    expect((await must(admin().get(`${REPOS}/app`), 200)).body).toMatchObject({ artifactCount: 2, tagCount: 3 });
    for (const tag of ['v1', 'v2', 'latest']) expect(await manifestStatus('team/app', tag)).toBe(200);
  });

  it('deletes a repository for a maintainer: its manifests and tags go, with artifact.deleted events', async () => {
    const before = (await must(admin().get(`${REPOS}/r3/artifacts`), 200)).body.map((a: { digest: string }) => a.digest);
    expect(before).toHaveLength(2);
    await must(apiClient(berth.url, MAINT).delete(`${REPOS}/r3`), 204);
    for (const ref of ['v1', 'v2', ...before]) expect(await manifestStatus('team/r3', ref)).toBe(404);
    expect((await admin().get(`${REPOS}/r3`)).status).toBe(404);
    expect((await admin().get(`${REPOS}/r3/artifacts`)).status).toBe(404);
    expect((await must(admin().get(REPOS), 200)).body.map((r: { name: string }) => r.name)).not.toContain('r3');
    const hooks = await eventually(async () => {
      const deleted = receiver.received.filter((h) => h.json?.type === 'DELETE_ARTIFACT' && h.json.event_data.repository.repo_full_name === 'team/r3');
      return deleted.length === 2 ? deleted : undefined;
    }, 'two artifact.deleted webhooks for team/r3', 10_000);
    expect(hooks.map((h) => h.json.event_data.resources[0].digest).sort()).toEqual([...before].sort());
  });

  it('deletes a tag alone or an artifact by digest, with the matching permission', async () => {
    const pushed = await mustPushImage(oci, 'team/tags', 'one', 'tags');
    await mustPushImage(oci, 'team/tags', 'two', 'tags');
    await must(apiClient(berth.url, MAINT).delete(`${REPOS}/tags/artifacts/one`), 204);
    expect(await manifestStatus('team/tags', 'one')).toBe(404);
    expect(await manifestStatus('team/tags', pushed.digest)).toBe(200);
    expect((await apiClient(berth.url, MAINT).delete(`${REPOS}/tags/artifacts/one`)).status).toBe(404);
    expect((await apiClient(berth.url, MAINT).delete(`${REPOS}/app/artifacts/v1`)).status).toBe(403);
    await must(apiClient(berth.url, MAINT).delete(`${REPOS}/tags/artifacts/${pushed.digest}`), 204);
    expect(await manifestStatus('team/tags', 'two')).toBe(404);
  });

  it('answers bad paging and malformed references with 400 INVALID, changing nothing', async () => {
    for (const query of ['page=0', 'page=abc', 'page_size=0', 'page_size=101', 'page=1.5']) {
      for (const path of [REPOS, `${REPOS}/r1/artifacts`]) {
        const res = await admin().get(`${path}?${query}`);
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(codesOf(res.body)).toEqual(['INVALID']);
      }
    }
    for (const ref of ['sha256:xyz', 'sha256:' + 'a'.repeat(63), 'md5:' + 'a'.repeat(32), '-bad-tag']) {
      for (const res of [await admin().get(`${REPOS}/r1/artifacts/${encodeURIComponent(ref)}`), await admin().delete(`${REPOS}/r1/artifacts/${encodeURIComponent(ref)}`)]) {
        expect(res.status, ref).toBe(400);
        expect(codesOf(res.body)).toEqual(['INVALID']);
      }
    }
    expect(codesOf((await admin().delete(`${REPOS}/${encodeURIComponent('Bad Name')}`)).body)).toEqual(['INVALID']);
    expect((await must(admin().get(`${REPOS}/r1`), 200)).body).toMatchObject({ artifactCount: 1, tagCount: 1 });
  });

  it('lists and deletes through the berth CLI', async () => {
    const opts = ['--server', berth.url, '--creds', `${MAINT.username}:${MAINT.password}`];
    const repos = JSON.parse((await runCliOk(['repo', 'ls', 'team', '--json', ...opts])).stdout) as Array<{ name: string }>;
    expect(repos.map((r) => r.name)).toContain('r2');
    expect((await runCliOk(['repo', 'ls', 'team', '--q', 'deep', ...opts])).stdout).toMatch(/^NAME\s+ARTIFACTCOUNT.*\nx\/deep\s+1\s+1/);
    const table = (await runCliOk(['artifact', 'ls', 'team/app', ...opts])).stdout;
    expect(table).toMatch(/v1\(immutable\)/);
    const [artifact] = JSON.parse((await runCliOk(['artifact', 'ls', 'team/r2', '--json', ...opts])).stdout) as Array<{ digest: string }>;
    expect((await runCliOk(['artifact', 'rm', 'team/r2:v1', ...opts])).stdout).toBe('deleted team/r2:v1\n');
    expect(await manifestStatus('team/r2', artifact!.digest)).toBe(200);
    await runCliOk(['artifact', 'rm', `team/r2@${artifact!.digest}`, ...opts]);
    expect(await manifestStatus('team/r2', artifact!.digest)).toBe(404);
    const refused = await runCli(['repo', 'rm', 'team/app', ...opts]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('immutable');
    await runCliOk(['repo', 'rm', 'team/r1', ...opts]);
    expect(await manifestStatus('team/r1', 'v1')).toBe(404);
  });
});
