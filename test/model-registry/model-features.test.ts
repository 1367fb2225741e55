// Model metadata bound to artifacts, end to end on a listening Berth with access control on:
// `berth push` registers models, versions and artifacts (and never rebinds a version to other
// content), aliases move and roll back with history, lineage answers both ways, model cards come
// from the README layer, search finds card text, archive and real delete (which deletes the
// manifests), project permissions on both metadata surfaces, and the `berth model` commands.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCliOk } from '../support/cli.js';
import { KubeflowContract } from '../support/kubeflow-openapi.js';
import { writeModelFixture } from '../support/model-fixtures.js';
import { apiClient, getRegistryToken, must, type Credentials } from '../support/registry-auth.js';

const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };
const USERS = { dev: 'developer', guest: 'guest', maint: 'maintainer', outsider: null } as const;
const cred = (username: keyof typeof USERS): Credentials => ({ username, password: `${username}-password` });
const contract = new KubeflowContract();

let berth: BerthProcess;
let work: string;
let model: string;
let admin: ReturnType<typeof apiClient>;
let kf: ReturnType<KubeflowContract['client']>;
let d1: string;
let d2: string;
let rebound: string;
const env = () => ({ XDG_CACHE_HOME: join(work, 'cache'), DOCKER_CONFIG: join(work, 'docker'), XDG_CONFIG_HOME: join(work, 'config'), BERTH_TOKEN: '', BERTH_SERVER: '', SOURCE_DATE_EPOCH: '1700000000' });
const cli = (args: string[], who: Credentials = ADMIN) => runCliOk([...args, '--creds', `${who.username}:${who.password}`], env());
const model$ = (...rest: string[]) => ['model', ...rest, '--server', berth.url];
const manifestDigest = async (reference: string) => {
  const res = await fetch(`${berth.url}/v2/llm/tiny/manifests/${reference}`, { headers: { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`, accept: 'application/vnd.oci.image.manifest.v1+json' } });
  return res.status === 200 ? res.headers.get('docker-content-digest') : res.status;
};

beforeAll(async () => {
  berth = await startBerth({ adminPassword: ADMIN.password });
  admin = apiClient(berth.url, ADMIN);
  kf = contract.client(berth.url, ADMIN);
  await must(admin.post('/api/v1/projects', { name: 'llm', public: false }), 201);
  for (const [username, role] of Object.entries(USERS)) {
    await must(admin.post('/api/v1/users', { username, password: `${username}-password` }), 201);
    if (role) await must(admin.put(`/api/v1/projects/llm/members/${username}`, { role }), 200);
  }
  work = mkdtempSync(join(tmpdir(), 'berth-models-'));
  model = join(work, 'model');
  await writeModelFixture(model);
});
afterAll(async () => {
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('push-to-register', () => {
  it('registers the model, version and artifact of a pushed ModelPack artifact', async () => {
    d1 = JSON.parse((await cli(['push', model, `${berth.host}/llm/tiny:v1`, '--json', '-q'])).stdout).digest;
    const rm = (await kf.get('/registered_model', { name: 'llm/tiny' })).body;
    expect(rm).toMatchObject({ name: 'llm/tiny', state: 'LIVE' });
    expect(rm.readme).toContain('# Tiny Llama');
    const v1 = (await kf.get('/model_version', { name: 'v1', parentResourceId: rm.id })).body;
    expect(v1.customProperties).toMatchObject({
      'berth.digest': { metadataType: 'MetadataStringValue', string_value: d1 },
      'berth.tag': { metadataType: 'MetadataStringValue', string_value: 'v1' },
      architecture: { metadataType: 'MetadataStringValue', string_value: 'LlamaForCausalLM' },
    });
    const arts = (await kf.get(`/model_versions/${v1.id}/artifacts`)).body;
    expect(arts.items).toHaveLength(1);
    expect(arts.items[0]).toMatchObject({ artifactType: 'model-artifact', uri: `oci://${berth.host}/llm/tiny@${d1}`, modelFormatName: 'safetensors', state: 'LIVE' });
    const card = await must(admin.get('/api/v1/models/llm/tiny/versions/v1/card'), 200);
    expect(card.body).toMatchObject({ path: 'README.md' });
    expect(card.body.text).toContain('A two-shard test model');
  });

  it('changes nothing when the same content is pushed again or tagged again', async () => {
    expect(JSON.parse((await cli(['push', model, `${berth.host}/llm/tiny:v1`, '--json', '-q'])).stdout).digest).toBe(d1);
    await cli(['tag', `${berth.host}/llm/tiny:v1`, 'latest']);
    const rm = (await kf.get('/registered_model', { name: 'llm/tiny' })).body;
    expect((await kf.get(`/registered_models/${rm.id}/versions`)).body.items.map((v: { name: string }) => v.name)).toEqual(['v1']);
  });

  it('never rebinds a version: other content pushed to its tag becomes a new version', async () => {
    appendFileSync(join(model, 'README.md'), '\nRetrained on more data.\n');
    d2 = JSON.parse((await cli(['push', model, `${berth.host}/llm/tiny:v1`, '--json', '-q'])).stdout).digest;
    expect(d2).not.toBe(d1);
    rebound = `v1-${d2.slice(7, 19)}`;
    const rm = (await kf.get('/registered_model', { name: 'llm/tiny' })).body;
    const versions = (await kf.get(`/registered_models/${rm.id}/versions`)).body.items;
    expect(versions.map((v: { name: string }) => v.name)).toEqual(['v1', rebound]);
    expect(versions[0].customProperties['berth.digest'].string_value).toBe(d1);
    expect(versions[1].customProperties).toMatchObject({ 'berth.digest': { string_value: d2 }, 'berth.tag': { string_value: 'v1' } });
    expect(await manifestDigest('v1')).toBe(d2);
    const v1 = await must(admin.get('/api/v1/models/llm/tiny/versions/v1'), 200);
    expect(v1.body).toMatchObject({ digest: d1, tag: 'v1', format: 'safetensors', uri: `oci://${berth.host}/llm/tiny@${d1}` });
    const artifact = (await kf.get('/model_artifact', { parentResourceId: versions[0].id })).body;
    const refused = await kf.patch(`/model_artifacts/${artifact.id}`, { uri: `oci://${berth.host}/llm/tiny@${d2}` });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/never changes/);
    expect((await kf.patch(`/model_artifacts/${artifact.id}`, { description: 'the first cut' })).status).toBe(200);
  });

  it('checks that Berth oci:// URIs registered through the API exist', async () => {
    const ok = await kf.post('/model_artifacts', { name: 'llm/by-digest', uri: `oci://${berth.host}/llm/tiny@${d1}` });
    expect(ok.status).toBe(201);
    expect((await kf.post('/model_artifacts', { name: 'llm/by-tag', uri: `oci://localhost:${berth.host.split(':')[1]}/llm/tiny:latest` })).status).toBe(201);
    const missing = await kf.post('/model_artifacts', { name: 'llm/missing', uri: `oci://${berth.host}/llm/tiny@sha256:${'0'.repeat(64)}` });
    expect(missing.status).toBe(400);
    expect((await kf.post('/model_artifacts', { name: 'llm/elsewhere', uri: 'oci://quay.io/org/model:1.0' })).status).toBe(201);
    const outsider = await contract.client(berth.url, cred('outsider')).post('/model_artifacts', { name: 'outsider', uri: `oci://${berth.host}/llm/tiny@${d1}` });
    expect(outsider.status).toBe(403);
  });
});

describe('aliases, lineage and cards', () => {
  it('moves aliases atomically with history, and rolls back in one call', async () => {
    expect((await cli(model$('alias', 'set', 'llm/tiny', 'production', 'v1'))).stdout).toBe('production: (none) -> v1\n');
    await cli(model$('alias', 'set', 'llm/tiny', 'staging', rebound), cred('dev'));
    await must(admin.put('/api/v1/models/llm/tiny/aliases/production', { version: rebound, expect: 'v1' }), 200);
    expect((await admin.put('/api/v1/models/llm/tiny/aliases/production', { version: 'v1', expect: 'v1' })).status).toBe(409);
    expect((await must(admin.get('/api/v1/models/llm/tiny/aliases/production'), 200)).body).toMatchObject({ version: rebound, digest: d2, updatedBy: 'admin' });
    const history = JSON.parse((await cli(model$('alias', 'history', 'llm/tiny', 'production', '--json'))).stdout) as Array<{ from: string | null; to: string; actor: string }>;
    expect(history.map((e) => [e.from, e.to, e.actor])).toEqual([['v1', rebound, 'admin'], [null, 'v1', 'admin']]);
    expect((await cli(model$('alias', 'rollback', 'llm/tiny', 'production'), cred('dev'))).stdout).toBe(`production: ${rebound} -> v1 (rollback)\n`);
    expect((await must(admin.get('/api/v1/models/llm/tiny/aliases/production'), 200)).body.digest).toBe(d1);
    const all = await must(admin.get('/api/v1/models/llm/tiny/alias-history'), 200);
    expect(all.body.map((e: { alias: string; reason: string | null; actor: string }) => [e.alias, e.reason, e.actor])).toEqual([['production', 'rollback', 'dev'], ['production', null, 'admin'], ['staging', null, 'dev'], ['production', null, 'admin']]);
    expect((await apiClient(berth.url, cred('guest')).put('/api/v1/models/llm/tiny/aliases/production', { version: rebound })).status).toBe(403);
    expect((await apiClient(berth.url).put('/api/v1/models/llm/tiny/aliases/production', { version: rebound })).status).toBe(401);
    expect((await admin.put('/api/v1/models/llm/tiny/aliases/bad%20name', { version: 'v1' })).status).toBe(400);
  });

  it('records lineage and answers it both ways', async () => {
    const dataset = (await kf.post('/artifacts', { artifactType: 'dataset-artifact', name: 'llm/corpus', uri: 's3://data/corpus' })).body;
    const experiment = (await kf.post('/experiments', { name: 'llm/finetune' })).body;
    const run = (await kf.post(`/experiments/${experiment.id}/experiment_runs`, { name: 'run-7' })).body;
    const shown = await cli(model$('lineage', `llm/tiny:${rebound}`, '--add', 'fine-tuned-from=llm/tiny:v1'));
    expect(shown.stdout).toMatch(/derives from\s+fine-tuned-from\s+model-version\s+llm\/tiny:v1/);
    await must(admin.post(`/api/v1/models/llm/tiny/versions/${rebound}/lineage`, { relation: 'trained-on', target: { id: dataset.id } }), 201);
    await must(admin.post(`/api/v1/models/llm/tiny/versions/${rebound}/lineage`, { relation: 'produced-by', target: { id: Number(run.id) } }), 201);
    expect((await admin.post(`/api/v1/models/llm/tiny/versions/${rebound}/lineage`, { relation: 'trained-on', target: { model: 'llm/tiny', version: 'v1' } })).status).toBe(400);
    expect((await admin.post(`/api/v1/models/llm/tiny/versions/${rebound}/lineage`, { relation: 'fine-tuned-from', target: { model: 'llm/tiny', version: 'v1' } })).status).toBe(409);
    const up = (await must(admin.get(`/api/v1/models/llm/tiny/versions/${rebound}/lineage`), 200)).body;
    expect(up.upstream.map((l: { relation: string; entity: { name: string; model?: string } }) => [l.relation, l.entity.name, l.entity.model])).toEqual([
      ['fine-tuned-from', 'v1', 'llm/tiny'], ['trained-on', 'llm/corpus', undefined], ['produced-by', 'run-7', undefined],
    ]);
    const down = (await must(admin.get('/api/v1/models/llm/tiny/versions/v1/lineage'), 200)).body;
    expect(down.downstream.map((l: { relation: string; entity: { name: string } }) => [l.relation, l.entity.name])).toEqual([['fine-tuned-from', rebound]]);
    const fromData = (await must(admin.get(`/api/v1/lineage/${dataset.id}`), 200)).body;
    expect(fromData.downstream.map((l: { relation: string; entity: { name: string; model: string } }) => [l.relation, l.entity.model, l.entity.name])).toEqual([['trained-on', 'llm/tiny', rebound]]);
    const fromRun = JSON.parse((await cli(model$('lineage', 'llm/tiny:v1', '--json'))).stdout);
    expect(fromRun.downstream).toHaveLength(1);
  });

  it('searches names, properties and model card text, and shows models from the CLI', async () => {
    const byCard = await must(admin.get('/api/v1/models?q=retrained%20on%20more'), 200);
    expect(byCard.body.map((m: { name: string }) => m.name)).toEqual(['llm/tiny']);
    expect((await must(admin.get('/api/v1/models?q=llamaforcausallm'), 200)).body.map((m: { name: string }) => m.name)).toEqual(['llm/tiny']);
    expect((await must(admin.get('/api/v1/models?q=no-such-words'), 200)).body).toEqual([]);
    const listed = JSON.parse((await cli(model$('ls', 'llm', '--json'))).stdout) as Array<{ name: string }>;
    expect(listed.map((m) => m.name)).toContain('llm/tiny');
    const shown = (await cli(model$('show', 'llm/tiny'))).stdout;
    expect(shown).toMatch(/^name:\s+llm\/tiny$/m);
    expect(shown).toMatch(new RegExp(`^v1\\s+LIVE\\s+v1\\s+${d1}\\s+safetensors\\s+production`, 'm'));
    const version = JSON.parse((await cli(model$('show', `llm/tiny:${rebound}`, '--json'))).stdout);
    expect(version).toMatchObject({ name: rebound, digest: d2, aliases: ['staging'] });
  });
});

describe('project permissions on model metadata', () => {
  it('lets readers read, writers write, and hides other projects', async () => {
    const guest = contract.client(berth.url, cred('guest'));
    const outsider = contract.client(berth.url, cred('outsider'));
    const anonymous = contract.client(berth.url);
    const rm = (await kf.get('/registered_model', { name: 'llm/tiny' })).body;
    expect((await guest.get('/registered_models')).body.items.map((m: { name: string }) => m.name)).toContain('llm/tiny');
    expect((await guest.get(`/registered_models/${rm.id}`)).status).toBe(200);
    expect((await guest.post('/registered_models', { name: 'llm/guest-model' })).status).toBe(403);
    expect((await guest.patch(`/registered_models/${rm.id}`, { description: 'x' })).status).toBe(403);
    expect((await outsider.get('/registered_models')).body.size).toBe(0);
    expect((await outsider.get(`/registered_models/${rm.id}`)).status).toBe(404);
    expect((await outsider.get('/registered_model', { name: 'llm/tiny' })).status).toBe(404);
    expect((await anonymous.get('/registered_models')).body.size).toBe(0);
    expect((await anonymous.post('/registered_models', { name: 'llm/anon' })).status).toBe(401);
    const dev = contract.client(berth.url, cred('dev'));
    expect((await dev.post('/registered_models', { name: 'llm/dev-model' })).status).toBe(201);
    expect((await dev.post('/registered_models', { name: 'other/dev-model' })).status).toBe(403);
    expect((await dev.patch(`/registered_models/${rm.id}`, { description: 'tiny llama' })).status).toBe(200);
    expect((await kf.post('/registered_models', { name: 'vision/resnet' })).status).toBe(201);
    expect((await must(admin.get('/api/v1/projects/vision'), 200)).body).toMatchObject({ name: 'vision', public: false });
    const unnamed = await kf.post('/experiments', { name: 'Not A Project' });
    expect(unnamed.status).toBe(403);
    expect(unnamed.body.message).toMatch(/<project>\/<name>, and the project must exist/);
    expect((await must(apiClient(berth.url, cred('outsider')).get('/api/v1/models?state=all'), 200)).body).toEqual([]);
    expect((await apiClient(berth.url, cred('outsider')).get('/api/v1/models/llm/tiny')).status).toBe(404);

    const token = (await must(apiClient(berth.url, cred('dev')).post('/api/v1/tokens', { name: 'kf', scopes: ['llm:pull'] }), 201)).body.token as string;
    const byToken = await fetch(`${berth.url}/api/model_registry/v1alpha3/registered_models/${rm.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(byToken.status).toBe(200);
    const readOnly = await fetch(`${berth.url}/api/model_registry/v1alpha3/registered_models`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"name":"llm/by-token"}' });
    expect(readOnly.status).toBe(403);
    const jwt = (await getRegistryToken(berth.url, ADMIN, ['repository:llm/tiny:pull'])).token!;
    const refused = await fetch(`${berth.url}/api/model_registry/v1alpha3/registered_models`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'Unauthorized' });
  });
});

describe('archive and delete', () => {
  it('archives and restores models and versions', async () => {
    expect((await must(admin.post('/api/v1/models/llm/tiny/archive'), 200)).body.state).toBe('ARCHIVED');
    expect((await must(admin.get('/api/v1/models?project=llm'), 200)).body.map((m: { name: string }) => m.name)).not.toContain('llm/tiny');
    expect((await must(admin.get('/api/v1/models?project=llm&state=all'), 200)).body.map((m: { name: string }) => m.name)).toContain('llm/tiny');
    expect((await kf.get('/registered_model', { name: 'llm/tiny' })).body.state).toBe('ARCHIVED');
    expect((await must(admin.post('/api/v1/models/llm/tiny/restore'), 200)).body.state).toBe('LIVE');
    expect((await must(admin.post('/api/v1/models/llm/tiny/versions/v1/archive'), 200)).body).toEqual({ name: 'v1', state: 'ARCHIVED' });
    expect((await must(admin.get('/api/v1/models/llm/tiny/versions/v1'), 200)).body.state).toBe('ARCHIVED');
    expect(await manifestDigest(d1)).toBe(d1);
  });

  it('deletes a version for real: its manifest, tags, aliases and lineage go with it', async () => {
    expect((await apiClient(berth.url, cred('dev')).delete(`/api/v1/models/llm/tiny/versions/${rebound}`)).status).toBe(403);
    const deleted = await must(apiClient(berth.url, cred('maint')).delete(`/api/v1/models/llm/tiny/versions/${rebound}`), 200);
    expect(deleted.body).toEqual({ deletedManifests: [`llm/tiny@${d2}`] });
    expect(await manifestDigest(d2)).toBe(404);
    expect(await manifestDigest('v1')).toBe(404);
    expect(await manifestDigest('latest')).toBe(d1);
    expect((await admin.get(`/api/v1/models/llm/tiny/versions/${rebound}`)).status).toBe(404);
    expect((await admin.get('/api/v1/models/llm/tiny/aliases/staging')).status).toBe(404);
    const history = await must(admin.get('/api/v1/models/llm/tiny/aliases/staging/history'), 200);
    expect(history.body[0]).toMatchObject({ from: null, to: null, reason: 'version-deleted', actor: 'maint' });
    expect((await must(admin.get('/api/v1/models/llm/tiny/versions/v1/lineage'), 200)).body.downstream).toEqual([]);
  });

  it('deletes a model for real, releasing every manifest it was pushed as', async () => {
    const rm = (await kf.get('/registered_model', { name: 'llm/tiny' })).body;
    const deleted = await must(admin.delete('/api/v1/models/llm/tiny'), 200);
    expect(deleted.body.deletedManifests).toEqual([`llm/tiny@${d1}`]);
    expect(await manifestDigest(d1)).toBe(404);
    expect(await manifestDigest('latest')).toBe(404);
    expect((await kf.get(`/registered_models/${rm.id}`)).status).toBe(404);
    expect((await kf.get('/registered_model', { name: 'llm/tiny' })).status).toBe(404);
    expect((await admin.get('/api/v1/models/llm/tiny')).status).toBe(404);
    await cli(['push', model, `${berth.host}/llm/tiny:v2`, '--json', '-q']);
    const again = (await kf.get('/registered_model', { name: 'llm/tiny' })).body;
    expect((await kf.get(`/registered_models/${again.id}/versions`)).body.items.map((v: { name: string }) => v.name)).toEqual(['v2']);
  });
});
