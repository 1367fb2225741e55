// The Kubeflow Model Registry API of a listening Berth, driven the way the Kubeflow Python client
// (`model-registry` on PyPI) drives it: the HTTP sequence of `register_model()` and of its reads,
// then every other operation of the contract, paging, errors and filterQuery. Every response is
// validated against the OpenAPI schema of its operation and status; the run counts the operations
// it exercised and fails unless it reached every one.
// https://github.com/kubeflow/model-registry/blob/main/clients/python/src/model_registry/_client.py
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { KubeflowContract } from '../support/kubeflow-openapi.js';

const contract = new KubeflowContract();
let berth: BerthProcess;
let kf: ReturnType<KubeflowContract['client']>;

const str = (v: string) => ({ metadataType: 'MetadataStringValue', string_value: v });
const dbl = (v: number) => ({ metadataType: 'MetadataDoubleValue', double_value: v });
const int = (v: number) => ({ metadataType: 'MetadataIntValue', int_value: String(v) });
const bool = (v: boolean) => ({ metadataType: 'MetadataBoolValue', bool_value: v });

beforeAll(async () => {
  berth = await startBerth();
  kf = contract.client(berth.url);
});
afterAll(async () => {
  await berth.dispose();
  const all = new Set(contract.operations.map((o) => o.operationId));
  console.log(`Kubeflow Model Registry contract: exercised ${contract.exercised.size}/${all.size} operations, validated ${contract.validated.responses} responses against the OpenAPI schema`);
});

/** What `ModelRegistry(...).register_model(name, uri, ...)` sends, with the client's reads before each write. */
async function registerModel(name: string, uri: string, version: string, metadata: Record<string, unknown>) {
  let rm = await kf.get('/registered_model', { name });
  if (rm.status === 404) rm = await kf.post('/registered_models', { name, owner: 'ann', customProperties: {} });
  expect([200, 201]).toContain(rm.status);
  const existing = await kf.get('/model_version', { name: version, parentResourceId: rm.body.id });
  if (existing.status === 200) throw new Error(`Version ${version} already exists`);
  expect(existing.status).toBe(404);
  const mv = await kf.post('/model_versions', { name: version, author: 'ann', description: 'first cut', customProperties: metadata, registeredModelId: rm.body.id });
  expect(mv.status).toBe(201);
  const ma = await kf.post(`/model_versions/${mv.body.id}/artifacts`, {
    artifactType: 'model-artifact', name, uri, modelFormatName: 'onnx', modelFormatVersion: '1', storageKey: 'aws-connection-models',
    storagePath: 'models/mnist', serviceAccountName: 'model-sa', customProperties: {},
  });
  expect(ma.status).toBe(201);
  return { rm: rm.body, mv: mv.body, ma: ma.body };
}

describe('the Kubeflow Python client against Berth', () => {
  let ids: { rm: string; mv: string; ma: string };

  it('probes, registers a model with register_model() and refuses a duplicate version the same way', async () => {
    expect((await kf.get('/registered_models', { pageSize: '1' })).body).toEqual({ items: [], size: 0, pageSize: 1, nextPageToken: '' });
    const done = await registerModel('mnist', 's3://models/mnist/v1', 'v1', { accuracy: dbl(0.97), framework: str('pytorch'), epochs: int(12), approved: bool(true) });
    ids = { rm: done.rm.id, mv: done.mv.id, ma: done.ma.id };
    expect(done.rm).toMatchObject({ name: 'mnist', owner: 'ann', state: 'LIVE', customProperties: {} });
    expect(done.mv).toMatchObject({ name: 'v1', author: 'ann', state: 'LIVE', registeredModelId: ids.rm, customProperties: { accuracy: dbl(0.97), epochs: int(12) } });
    expect(done.ma).toMatchObject({ artifactType: 'model-artifact', name: 'mnist', uri: 's3://models/mnist/v1', modelFormatName: 'onnx', modelFormatVersion: '1', state: 'UNKNOWN' });
    await expect(registerModel('mnist', 's3://models/mnist/v1', 'v1', {})).rejects.toThrow('Version v1 already exists');
    const second = await registerModel('mnist', 's3://models/mnist/v2', 'v2', {});
    expect(second.rm.id).toBe(ids.rm);
  });

  it('answers the reads the client makes', async () => {
    const rm = await kf.get('/registered_model', { name: 'mnist' });
    expect(rm.body.id).toBe(ids.rm);
    expect((await kf.get(`/registered_models/${ids.rm}`)).body.name).toBe('mnist');
    const mv = await kf.get('/model_version', { name: 'v1', parentResourceId: ids.rm });
    expect(mv.body.id).toBe(ids.mv);
    expect((await kf.get(`/model_versions/${ids.mv}`)).body.name).toBe('v1');
    const ma = await kf.get('/model_artifact', { name: 'mnist', parentResourceId: ids.mv });
    expect(ma.body.id).toBe(ids.ma);
    expect((await kf.get(`/model_artifacts/${ids.ma}`)).body.uri).toBe('s3://models/mnist/v1');
    const versions = await kf.get(`/registered_models/${ids.rm}/versions`, { pageSize: '100', orderBy: 'ID', sortOrder: 'DESC', nextPageToken: '' });
    expect(versions.body.items.map((v: { name: string }) => v.name)).toEqual(['v2', 'v1']);
    const arts = await kf.get(`/model_versions/${ids.mv}/artifacts`);
    expect(arts.body).toMatchObject({ size: 1, nextPageToken: '', items: [{ id: ids.ma }] });
    expect((await kf.get(`/model_versions/${ids.mv}/artifacts`, { artifactType: 'doc-artifact' })).body.size).toBe(0);
    expect((await kf.get('/registered_models', { pageSize: '10' })).body.size).toBe(1);
    expect((await kf.get('/model_versions')).body.size).toBe(2);
    expect((await kf.get('/model_artifacts')).body.size).toBe(2);
  });

  it('applies update() as PATCH, keeping names and unmentioned fields', async () => {
    const rm = await kf.patch(`/registered_models/${ids.rm}`, { name: 'mnist', description: 'digits', owner: 'bob', state: 'LIVE', customProperties: { team: str('vision') }, readme: '# MNIST', language: ['en'], logo: 'data:image/png;base64,AA==' });
    expect(rm.body).toMatchObject({ name: 'mnist', description: 'digits', owner: 'bob', readme: '# MNIST', language: ['en'], customProperties: { team: str('vision') } });
    expect(Number(rm.body.lastUpdateTimeSinceEpoch)).toBeGreaterThanOrEqual(Number(rm.body.createTimeSinceEpoch));
    const mv = await kf.patch(`/model_versions/${ids.mv}`, { state: 'ARCHIVED' });
    expect(mv.body).toMatchObject({ state: 'ARCHIVED', author: 'ann', customProperties: { framework: str('pytorch') } });
    const ma = await kf.patch(`/model_artifacts/${ids.ma}`, { artifactType: 'model-artifact', state: 'LIVE', storagePath: 'models/mnist/1' });
    expect(ma.body).toMatchObject({ state: 'LIVE', storagePath: 'models/mnist/1', uri: 's3://models/mnist/v1' });
    expect((await kf.patch(`/registered_models/${ids.rm}`, { name: 'other' })).status).toBe(400);
  });
});

describe('every other operation of the contract', () => {
  it('serves environments, inference services and serve records', async () => {
    const rm = (await kf.post('/registered_models', { name: 'serving/llm' })).body;
    const v1 = (await kf.post(`/registered_models/${rm.id}/versions`, { name: 'v1' })).body;
    const v2 = (await kf.post(`/registered_models/${rm.id}/versions`, { name: 'v2', registeredModelId: rm.id })).body;
    expect(v2.registeredModelId).toBe(rm.id);
    const env = await kf.post('/serving_environments', { name: 'team-a', externalId: 'ns-team-a' });
    expect(env.status).toBe(201);
    expect((await kf.get(`/serving_environments/${env.body.id}`)).body.name).toBe('team-a');
    expect((await kf.patch(`/serving_environments/${env.body.id}`, { description: 'namespace team-a' })).body.description).toBe('namespace team-a');
    expect((await kf.get('/serving_environment', { externalId: 'ns-team-a' })).body.id).toBe(env.body.id);
    expect((await kf.get('/serving_environments')).body.size).toBe(1);

    const isvc = await kf.post('/inference_services', { name: 'llm-prod', registeredModelId: rm.id, servingEnvironmentId: env.body.id, runtime: 'vllm' });
    expect(isvc.status).toBe(200);
    expect(isvc.body).toMatchObject({ desiredState: 'DEPLOYED', runtime: 'vllm', registeredModelId: rm.id, servingEnvironmentId: env.body.id });
    expect((await kf.get(`/inference_services/${isvc.body.id}/version`)).body.id).toBe(v2.id);
    expect((await kf.get(`/inference_services/${isvc.body.id}/model`)).body.id).toBe(rm.id);
    const pinned = await kf.patch(`/inference_services/${isvc.body.id}`, { modelVersionId: v1.id, desiredState: 'UNDEPLOYED' });
    expect(pinned.body).toMatchObject({ modelVersionId: v1.id, desiredState: 'UNDEPLOYED' });
    expect((await kf.get(`/inference_services/${isvc.body.id}/version`)).body.id).toBe(v1.id);
    const other = await kf.post(`/serving_environments/${env.body.id}/inference_services`, { name: 'llm-canary', registeredModelId: rm.id, modelVersionId: v2.id });
    expect(other.status).toBe(201);
    expect((await kf.get(`/serving_environments/${env.body.id}/inference_services`)).body.size).toBe(2);
    expect((await kf.get(`/inference_services/${isvc.body.id}`)).body.name).toBe('llm-prod');
    expect((await kf.get('/inference_service', { name: 'llm-canary', parentResourceId: env.body.id })).body.id).toBe(other.body.id);
    expect((await kf.get('/inference_services', { filterQuery: 'runtime = "vllm"' })).body.items.map((i: { id: string }) => i.id)).toEqual([isvc.body.id]);

    const serve = await kf.post(`/inference_services/${isvc.body.id}/serves`, { modelVersionId: v1.id, lastKnownState: 'RUNNING' });
    expect(serve.status).toBe(201);
    expect(serve.body).toMatchObject({ modelVersionId: v1.id, lastKnownState: 'RUNNING' });
    expect((await kf.get(`/inference_services/${isvc.body.id}/serves`)).body.items).toHaveLength(1);
    expect((await kf.post(`/inference_services/${isvc.body.id}/serves`, { modelVersionId: '999999' })).status).toBe(404);
    expect((await kf.post('/inference_services', { registeredModelId: rm.id, servingEnvironmentId: env.body.id, modelVersionId: (await kf.get('/model_versions')).body.items[0].id })).status).toBe(400);
  });

  it('records experiments, runs, parameters, metrics and metric history', async () => {
    const exp = await kf.post('/experiments', { name: 'mnist-tuning', owner: 'ann' });
    expect(exp.body).toMatchObject({ state: 'LIVE', owner: 'ann' });
    expect((await kf.get(`/experiments/${exp.body.id}`)).body.name).toBe('mnist-tuning');
    expect((await kf.patch(`/experiments/${exp.body.id}`, { description: 'lr sweep' })).body.description).toBe('lr sweep');
    expect((await kf.get('/experiment', { name: 'mnist-tuning' })).body.id).toBe(exp.body.id);
    const run1 = await kf.post(`/experiments/${exp.body.id}/experiment_runs`, { name: 'run-1', startTimeSinceEpoch: '1700000000000' });
    expect(run1.status).toBe(201);
    expect(run1.body).toMatchObject({ experimentId: exp.body.id, status: 'RUNNING', state: 'LIVE', startTimeSinceEpoch: '1700000000000' });
    const run2 = await kf.post('/experiment_runs', { name: 'run-2', experimentId: exp.body.id, status: 'RUNNING' });
    expect(run2.body.status).toBe('RUNNING');
    expect((await kf.patch(`/experiment_runs/${run2.body.id}`, { status: 'FINISHED', endTimeSinceEpoch: '1700000360000' })).body).toMatchObject({ status: 'FINISHED', endTimeSinceEpoch: '1700000360000' });
    expect((await kf.get(`/experiment_runs/${run1.body.id}`)).body.name).toBe('run-1');
    expect((await kf.get(`/experiments/${exp.body.id}/experiment_runs`)).body.size).toBe(2);
    expect((await kf.get('/experiment_runs', { filterQuery: 'status = "FINISHED"' })).body.items.map((r: { id: string }) => r.id)).toEqual([run2.body.id]);
    expect((await kf.get('/experiment_run', { name: 'run-2', parentResourceId: exp.body.id })).body.id).toBe(run2.body.id);
    expect((await kf.get('/experiments')).body.size).toBe(1);

    const lr = await kf.post(`/experiment_runs/${run1.body.id}/artifacts`, { artifactType: 'parameter', name: 'lr', value: '0.001', parameterType: 'number' });
    expect(lr.status).toBe(201);
    expect(lr.body).toMatchObject({ artifactType: 'parameter', value: '0.001', experimentRunId: run1.body.id, experimentId: exp.body.id });
    for (const [step, loss] of [[1, 0.9], [2, 0.5], [3, 0.2]] as const) {
      const m = await kf.post(`/experiment_runs/${run1.body.id}/artifacts`, { artifactType: 'metric', name: 'loss', value: loss, step, timestamp: String(1700000000000 + step) });
      expect(m.status).toBe(step === 1 ? 201 : 200);
      expect(m.body).toMatchObject({ artifactType: 'metric', value: loss, step });
    }
    await kf.post(`/experiment_runs/${run2.body.id}/artifacts`, { artifactType: 'metric', name: 'loss', value: 0.4, step: 1 });
    const arts = await kf.get(`/experiment_runs/${run1.body.id}/artifacts`);
    expect(arts.body.items.map((a: { name: string; value: unknown }) => [a.name, a.value])).toEqual([['lr', '0.001'], ['loss', 0.2]]);
    const history = await kf.get(`/experiment_runs/${run1.body.id}/metric_history`, { name: 'loss' });
    expect(history.body.items.map((m: { step: number; value: number }) => [m.step, m.value])).toEqual([[1, 0.9], [2, 0.5], [3, 0.2]]);
    expect((await kf.get(`/experiment_runs/${run1.body.id}/metric_history`, { stepIds: '1,3' })).body.items.map((m: { step: number }) => m.step)).toEqual([1, 3]);
    const across = await kf.get('/experiment_runs/metric_history', { name: 'loss', stepIds: '1' });
    expect(across.body.items.map((m: { value: number }) => m.value)).toEqual([0.9, 0.4]);
    expect((await kf.get('/experiment_runs/metric_history', { filterQuery: `experimentRunId = ${run2.body.id}` })).body.size).toBe(1);
    expect((await kf.get(`/experiment_runs/${run1.body.id}/metric_history`, { stepIds: '1,x' })).status).toBe(400);
  });

  it('creates, finds and updates artifacts of every type', async () => {
    const doc = await kf.post('/artifacts', { artifactType: 'doc-artifact', name: 'readme', uri: 'https://example.com/README.md' });
    expect(doc.status).toBe(201);
    const data = await kf.post('/artifacts', { artifactType: 'dataset-artifact', name: 'mnist-train', uri: 's3://data/mnist', digest: 'sha256:abc', sourceType: 's3', schema: '{}', profile: 'n=60000' });
    expect(data.body).toMatchObject({ artifactType: 'dataset-artifact', sourceType: 's3', state: 'UNKNOWN' });
    const metric = await kf.post('/artifacts', { artifactType: 'metric', name: 'f1', value: 0.8 });
    const param = await kf.post('/artifacts', { artifactType: 'parameter', name: 'batch', value: '64' });
    const model = await kf.post('/model_artifacts', { name: 'standalone', uri: 'hf://org/model', modelSourceKind: 'hf', modelSourceName: 'org/model' });
    expect(model.body.artifactType).toBe('model-artifact');
    expect((await kf.get(`/artifacts/${data.body.id}`)).body.name).toBe('mnist-train');
    expect((await kf.patch(`/artifacts/${doc.body.id}`, { artifactType: 'doc-artifact', state: 'LIVE' })).body.state).toBe('LIVE');
    expect((await kf.patch(`/artifacts/${metric.body.id}`, { value: 0.85 })).body.value).toBe(0.85);
    expect((await kf.patch(`/artifacts/${param.body.id}`, { artifactType: 'metric', value: 1 })).status).toBe(400);
    expect((await kf.get('/artifact', { name: 'mnist-train' })).body.id).toBe(data.body.id);
    expect((await kf.get('/model_artifact', { name: 'standalone' })).body.id).toBe(model.body.id);
    const datasets = await kf.get('/artifacts', { artifactType: 'dataset-artifact' });
    expect(datasets.body.items.map((a: { name: string }) => a.name)).toEqual(['mnist-train']);
    expect((await kf.get('/artifacts', { artifactType: 'bogus' })).status).toBe(400);
    const rm = (await kf.get('/registered_model', { name: 'mnist' })).body;
    const mv = (await kf.get('/model_version', { name: 'v2', parentResourceId: rm.id })).body;
    const attached = await kf.post(`/model_versions/${mv.id}/artifacts`, { artifactType: 'doc-artifact', id: doc.body.id, description: 'model card' });
    expect(attached.status).toBe(200);
    expect((await kf.get('/artifact', { parentResourceId: mv.id, name: 'readme' })).body).toMatchObject({ id: doc.body.id, description: 'model card' });
  });
});

describe('lists, errors and filterQuery', () => {
  it('pages with pageSize, orderBy, sortOrder and nextPageToken', async () => {
    for (let i = 0; i < 5; i++) await kf.post('/experiments', { name: `paging-${i}` });
    const seen: string[] = [];
    let token = '';
    for (let pages = 0; pages < 10; pages++) {
      const page = await kf.get('/experiments', { pageSize: '2', orderBy: 'CREATE_TIME', sortOrder: 'DESC', nextPageToken: token, filterQuery: 'name LIKE "paging-%"' });
      expect(page.body.pageSize).toBe(2);
      expect(page.body.size).toBe(page.body.items.length);
      seen.push(...page.body.items.map((e: { name: string }) => e.name));
      token = page.body.nextPageToken;
      if (token === '') break;
    }
    expect(seen).toEqual(['paging-4', 'paging-3', 'paging-2', 'paging-1', 'paging-0']);
    const first = await kf.get('/experiments', { pageSize: '2', orderBy: 'ID' });
    expect((await kf.get('/experiments', { pageSize: '2', orderBy: 'LAST_UPDATE_TIME', nextPageToken: first.body.nextPageToken })).status).toBe(400);
    for (const bad of [{ pageSize: '0' }, { pageSize: '-1' }, { pageSize: 'x' }, { orderBy: 'NAME' }, { sortOrder: 'UP' }, { nextPageToken: 'garbage!' }, { nextPageToken: Buffer.from('{"i":1}').toString('base64url') }]) {
      const reply = await kf.get('/experiments', bad);
      expect(reply.status, JSON.stringify(bad)).toBe(400);
      expect(reply.body.code).toBe('Bad Request');
    }
  });

  it('reports errors as {code, message} with the right status', async () => {
    const cases: Array<[Promise<{ status: number; body: { code: string; message: string } }>, number, RegExp]> = [
      [kf.get('/registered_models/424242'), 404, /not found/],
      [kf.get('/registered_models/0123'), 404, /not found/],
      [kf.get('/model_versions/1'), 404, /not found/],
      [kf.post('/registered_models', { name: 'mnist' }), 409, /already exists/],
      [kf.post('/registered_models', { description: 'no name' }), 400, /name/],
      [kf.post('/registered_models', { name: 'x', externalId: 'ns-team-a' }), 409, /externalId/],
      [kf.post('/model_versions', { name: 'v9' }), 422, /registeredModelId/],
      [kf.post('/experiment_runs', { name: 'r' }), 422, /experimentId/],
      [kf.post('/registered_models', { name: 'y', customProperties: { a: { metadataType: 'MetadataIntValue', int_value: 'one' } } }), 400, /int_value/],
      [kf.post('/registered_models', { name: 'y', customProperties: { a: { metadataType: 'Nope' } } }), 400, /metadataType/],
      [kf.post('/registered_models', { name: 'y', state: 'DELETED' }), 400, /state must be one of LIVE, ARCHIVED/],
      [kf.post('/registered_models', { name: 'y', logo: 'not a uri' }), 400, /logo/],
      [kf.post('/registered_models', ['not', 'an', 'object']), 400, /JSON object/],
      [kf.post('/artifacts', { artifactType: 'weights' }), 400, /artifactType/],
      [kf.get('/registered_model'), 400, /name, externalId or parentResourceId/],
      [kf.get('/registered_model', { name: 'nope' }), 404, /no registered-model/],
      [kf.get('/model_version', { name: 'v1', parentResourceId: 'x' }), 400, /parentResourceId/],
      [kf.post('/model_artifacts', { name: 'local', uri: `oci://${new URL(berth.url).host}/llm/missing:v1` }), 400, /no such manifest/],
    ];
    for (const [reply, status, message] of cases) {
      const r = await reply;
      expect(r.status, r.body.message).toBe(status);
      expect(r.body.message).toMatch(message);
      expect(typeof r.body.code).toBe('string');
    }
  });

  it('filters with typed custom properties and the whole grammar', async () => {
    await kf.post('/registered_models', { name: 'filter/a', customProperties: { accuracy: dbl(0.95), framework: str('pytorch'), 'mlflow.source.type': str('notebook'), layers: int(12), tuned: bool(true) } });
    await kf.post('/registered_models', { name: 'filter/B', state: 'ARCHIVED', customProperties: { accuracy: dbl(0.7), framework: str('tensorflow'), layers: int(4), tuned: bool(false) } });
    const names = async (filterQuery: string) => {
      const r = await kf.get('/registered_models', { filterQuery });
      expect(r.status, `${filterQuery}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body.items.map((m: { name: string }) => m.name);
    };
    expect(await names('accuracy > 0.9')).toEqual(['filter/a']);
    expect(await names('customProperties.accuracy.double_value > 0.9')).toEqual(['filter/a']);
    expect(await names('accuracy.double_value <= 0.7')).toEqual(['filter/B']);
    expect(await names('framework.string_value = "tensorflow"')).toEqual(['filter/B']);
    expect(await names("`mlflow.source.type` = 'notebook'")).toEqual(['filter/a']);
    expect(await names('layers.int_value >= 10 AND tuned = TRUE')).toEqual(['filter/a']);
    expect(await names('(name = "filter/a" OR name = "filter/B") AND state = "LIVE"')).toEqual(['filter/a']);
    expect(await names('name ILIKE "FILTER/%"')).toEqual(['filter/a', 'filter/B']);
    expect(await names('name LIKE "filter/b"')).toEqual([]);
    expect(await names('framework IN ("jax", "pytorch")')).toEqual(['filter/a']);
    expect(await names('name = "filter/a" and layers > 1e1')).toEqual(['filter/a']);
    expect(await names('   ')).toContain('filter/a');
  });

  it('answers bad and hostile queries with a clear 400, never a SQL error', async () => {
    const bad: Array<[string, RegExp]> = [
      ['name =', /expected a value after = at position 7/],
      ['name = "unterminated', /unterminated string starting at position 8/],
      ['= "x"', /expected a property name at position 1/],
      ['name == "x"', /"==" at position 6/],
      ['(name = "x"', /expected "\)" to close the parenthesis/],
      ['name = "x")', /expected AND, OR or the end of the query at position 11/],
      ['name = x', /quote strings/],
      ['name = "x" AND', /expected a property name at position 15, found the end of the query/],
      ['NOT name = "x"', /NOT is not supported/],
      ['name IN "x"', /parenthesised list after IN/],
      ['name = ("a", "b")', /only IN takes a list/],
      ['name IN ("a", 1)', /mixes strings, numbers and booleans/],
      ['id LIKE "1%"', /LIKE.*not a string|needs a quoted pattern|is not a string/],
      ['accuracy LIKE 5', /needs a quoted pattern/],
      ['tuned > true', /orders tuned .* by a boolean/],
      ['id = "abc"', /a number, with the string "abc"/],
      ['layers.int_value = 1.5', /an integer, with 1.5/],
      ['name LIKE "abc\\\\"', /ends with an escape character/],
      ['name = "a"; DROP TABLE model_entities', /unexpected character ";"/],
      ['name = 1abc', /malformed number/],
      [`${'('.repeat(40)}name = "a"${')'.repeat(40)}`, /deeper than 32 levels/],
      [Array.from({ length: 101 }, () => 'name = "a"').join(' OR '), /more than 100 comparisons/],
      ['name = "é"', /printable ASCII/],
      ['x'.repeat(5000), /longer than 4096 characters/],
    ];
    for (const [query, message] of bad) {
      const r = await kf.get('/registered_models', { filterQuery: query });
      expect(r.status, query).toBe(400);
      expect(r.body.code).toBe('Bad Request');
      expect(r.body.message, query).toMatch(message);
      expect(r.body.message).not.toMatch(/sql|sqlite|syntax error/i);
    }
    for (const hostile of ["name = 'x'' OR ''1''=''1'", 'name = "x\\" OR 1=1 --"', '`name\\` = 1 OR 1` = "x"', "framework = '%'' OR 1=1; DELETE FROM model_entities; --'"]) {
      const r = await kf.get('/registered_models', { filterQuery: hostile });
      expect(r.status, hostile).toBe(200);
      expect(r.body.items, hostile).toEqual([]);
    }
    expect((await kf.get('/registered_models', { filterQuery: 'name LIKE "%"' })).body.size).toBeGreaterThan(3);
  });
});

describe('contract coverage', () => {
  it('exercised every operation of the OpenAPI contract', () => {
    const missing = contract.operations.map((o) => o.operationId).filter((id) => !contract.exercised.has(id));
    expect(missing).toEqual([]);
    expect(contract.exercised.size).toBe(56);
  });
});
