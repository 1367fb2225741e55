// KubeAI and KServe manifests rendered by a listening Berth (REST route and `berth kubeai manifest`),
// validated against their schemas:
// - the KubeAI Model against the CRD's openAPIV3Schema (test/fixtures/kubeai, KubeAI v0.22), made
//   strict about unknown fields as `kubectl apply --validate=strict` is, plus the CRD's CEL rules
//   (x-kubernetes-validations) evaluated by hand: every rule that does not compare with oldSelf has
//   an evaluator below, so a CRD update that adds one fails here until it is checked;
// - the KServe InferenceService against a schema written here from the KServe v1beta1 CRD fields it
//   uses (config/crd/full/serving.kserve.io_inferenceservices.yaml: predictor.minReplicas/maxReplicas
//   int32, serviceAccountName, model.modelFormat{name}, storageUri, args, env[] with valueFrom.secretKeyRef
//   {name,key}), and its storageUri parsed the way KServe's storage initializer (`_download_hf`) does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { isolatedEnv, pushFixture, type PushedModel } from '../support/hub-models.js';
import { writeModelFixture } from '../support/model-fixtures.js';
import { apiClient, must, withBasic } from '../support/registry-auth.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ADMIN = { username: 'admin', password: 'deploy-manifests-pw' };
/** Where pods reach Berth, given per request (the configured external URL is the default). */
const EXTERNAL = 'https://berth.example.com';
let externalUrl: string;
const CRD = parse(readFileSync(resolve(import.meta.dirname, '../fixtures/kubeai/kubeai.org_models.yaml'), 'utf8')) as Json;
const MODEL_SCHEMA = CRD.spec.versions.find((v: Json) => v.name === 'v1').schema.openAPIV3Schema;

/** Every object schema with properties rejects unknown fields (Kubernetes would prune them silently). */
function strict(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Json = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)])) : strict(v)]));
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function ajv(): Ajv {
  const a = new Ajv({ allErrors: true, strict: false });
  a.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  a.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  return a;
}

const validateModel: ValidateFunction = ajv().compile(strict(MODEL_SCHEMA));

/** The CRD's CEL rules, by message; each evaluates `self` at the place the rule sits. */
const CEL: Record<string, (self: Json) => boolean> = {
  'name must not exceed 40 characters.': (self) => self.metadata.name.length <= 40,
  'url must start with "hf://", "pvc://", "ollama://", "s3://", "gs://", or "oss://" and not be empty.': (self) => ['hf://', 'pvc://', 'ollama://', 's3://', 'gs://', 'oss://'].some((p) => self.startsWith(p)),
  'adapter url must start with "hf://", "s3://", "gs://", or "oss://".': (self) => ['hf://', 's3://', 'gs://', 'oss://'].some((p) => self.startsWith(p)),
  'Path must be an absolute path, starting with /, and must not contain a \':\' character.': (self) => self.startsWith('/') && !self.includes(':'),
  'cacheProfile is only supported with urls of format "hf://...", "s3://...", "gs://...", or "oss://..." at the moment.': (self) =>
    self.cacheProfile === undefined || ['hf://', 's3://', 'gs://', 'oss://'].some((p) => self.url.startsWith(p)),
  'urls of format "gs://..." only supported when using a cacheProfile': (self) => !self.url.startsWith('gs://') || self.cacheProfile !== undefined,
  'urls of format "oss://..." only supported when using a cacheProfile': (self) => !self.url.startsWith('oss://') || self.cacheProfile !== undefined,
  'minReplicas should be less than or equal to maxReplicas.': (self) => self.maxReplicas === undefined || self.minReplicas <= self.maxReplicas,
  'adapters only supported with VLLM engine.': (self) => self.adapters === undefined || self.engine === 'VLLM',
  'All file paths must be unique.': (self) => self.files === undefined || new Set(self.files.map((f: Json) => f.path)).size === self.files.length,
};

/** The messages of the CEL rules `object` breaks (transition rules, which compare with oldSelf, are skipped). */
function celViolations(schema: Json, self: Json, out: string[] = []): string[] {
  for (const v of schema['x-kubernetes-validations'] ?? []) {
    if (/\boldSelf\b/.test(v.rule)) continue;
    const check = CEL[v.message];
    if (!check) throw new Error(`no evaluator for CEL rule ${v.rule}`);
    if (!check(self)) out.push(v.message);
  }
  if (schema.properties && typeof self === 'object' && self !== null) {
    for (const [key, sub] of Object.entries(schema.properties)) if (self[key] !== undefined) celViolations(sub, self[key], out);
  }
  if (schema.items && Array.isArray(self)) for (const item of self) celViolations(schema.items, item, out);
  return out;
}

/** Schema and CEL errors of a Model; empty when the API server would admit it. */
function modelErrors(model: Json): string[] {
  const schema = validateModel(model) ? [] : (validateModel.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  return [...schema, ...celViolations(MODEL_SCHEMA, model)];
}

const KSERVE_NAME = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const meta = { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', pattern: KSERVE_NAME, maxLength: 63 }, namespace: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } }, annotations: { type: 'object', additionalProperties: { type: 'string' } } } };
const INFERENCE_SERVICE_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'serving.kserve.io/v1beta1' },
    kind: { const: 'InferenceService' },
    metadata: meta,
    spec: {
      type: 'object', required: ['predictor'], additionalProperties: false,
      properties: {
        predictor: {
          type: 'object', additionalProperties: false,
          properties: {
            minReplicas: { type: 'integer', format: 'int32', minimum: 0 },
            maxReplicas: { type: 'integer', format: 'int32', minimum: 0 },
            serviceAccountName: { type: 'string' },
            model: {
              type: 'object', required: ['modelFormat', 'storageUri'], additionalProperties: false,
              properties: {
                modelFormat: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, version: { type: 'string' } } },
                storageUri: { type: 'string' },
                args: { type: 'array', items: { type: 'string' } },
                env: {
                  type: 'array',
                  items: {
                    type: 'object', required: ['name'], additionalProperties: false,
                    properties: {
                      name: { type: 'string' },
                      value: { type: 'string' },
                      valueFrom: { type: 'object', additionalProperties: false, properties: { secretKeyRef: { type: 'object', required: ['key'], additionalProperties: false, properties: { name: { type: 'string' }, key: { type: 'string' }, optional: { type: 'boolean' } } } } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};
const SERVICE_ACCOUNT_SCHEMA = {
  type: 'object', required: ['apiVersion', 'kind', 'metadata'], additionalProperties: false,
  properties: { apiVersion: { const: 'v1' }, kind: { const: 'ServiceAccount' }, metadata: meta, secrets: { type: 'array', items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' } } } } },
};
const validateIsvc = ajv().compile(INFERENCE_SERVICE_SCHEMA);
const validateServiceAccount = ajv().compile(SERVICE_ACCOUNT_SCHEMA);

/** What KServe's storage initializer makes of an hf:// storageUri (kserve_storage.py `_download_hf`). */
function kserveHfUri(uri: string): { repoId: string; revision: string | null } {
  const components = uri.slice('hf://'.length).split('/');
  if (components.length !== 2) throw new Error(`Invalid Hugging Face URI format: ${uri}`);
  const [repo, modelPart] = components as [string, string];
  const colon = modelPart.indexOf(':');
  const model = colon === -1 ? modelPart : modelPart.slice(0, colon);
  const hash = colon === -1 ? '' : modelPart.slice(colon + 1);
  return { repoId: `${repo}/${model}`, revision: hash || null };
}

let berth: BerthProcess;
let work: string;
let v1: PushedModel;
let latest: PushedModel;
let robotSecret: string;
const admin = () => withBasic(ADMIN.username, ADMIN.password);
const body = async (res: Response): Promise<Json> => res.json();
const get = (path: string, headers: Record<string, string> = admin()) => fetch(`${berth.url}${path}`, { headers });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-deploy-'));
  // The configured external URL (what HF_ENDPOINT defaults to) must also work for the pushes here, so
  // it names this very server, by another host name than the one requests use.
  const port = await freePort();
  externalUrl = `http://localhost:${port}`;
  berth = await startBerth({ adminPassword: ADMIN.password, port, env: { BERTH_EXTERNAL_URL: externalUrl } });
  const api = apiClient(berth.url, ADMIN);
  await must(api.post('/api/v1/projects', { name: 'llm', public: false }), 201);
  await must(api.post('/api/v1/projects', { name: 'open', public: true }), 201);
  const creds = `${ADMIN.username}:${ADMIN.password}`;
  v1 = await pushFixture(berth.host, 'llm/tiny-llama', 'v1', await writeModelFixture(join(work, 'v1')), isolatedEnv(work), creds);
  latest = await pushFixture(berth.host, 'llm/tiny-llama', 'latest', await writeModelFixture(join(work, 'v2'), { bigFileBytes: 1024 }), isolatedEnv(work), creds);
  await pushFixture(berth.host, 'open/tiny-llama', 'v1', await writeModelFixture(join(work, 'open')), isolatedEnv(work), creds);
  robotSecret = (await must(api.post('/api/v1/projects/llm/robots', { name: 'kubeai', permissions: ['pull'], expiresInDays: 1 }), 201)).body.secret as string;
});
afterAll(async () => {
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('KubeAI Model from GET /api/v1/models/{project}/{model}/kubeai', () => {
  it('is valid against the CRD schema and its CEL rules, and serves exactly the asked version', async () => {
    const res = await get(`/api/v1/models/llm/tiny-llama/kubeai?revision=v1&format=json&resourceProfile=nvidia-gpu-l4:1&minReplicas=1&maxReplicas=3&endpoint=${EXTERNAL}`);
    expect(res.status).toBe(200);
    const model = await body(res);
    expect(modelErrors(model)).toEqual([]);
    expect(model).toMatchObject({
      apiVersion: 'kubeai.org/v1',
      kind: 'Model',
      metadata: { name: 'tiny-llama', annotations: { 'berth.dev/commit': v1.commit, 'berth.dev/revision': 'v1', 'berth.dev/digest': v1.digest } },
      spec: {
        url: 'hf://llm/tiny-llama',
        engine: 'VLLM',
        features: ['TextGeneration'],
        args: [`--revision=${v1.commit}`],
        env: { HF_ENDPOINT: EXTERNAL },
        envFrom: [{ secretRef: { name: 'berth-llm' } }],
        resourceProfile: 'nvidia-gpu-l4:1',
        minReplicas: 1,
        maxReplicas: 3,
      },
    });
    expect(res.headers.get('warning')).toBeNull();
  });

  it('HF_ENDPOINT defaults to the configured external URL, with a warning when pods could not reach it', async () => {
    const res = await get('/api/v1/models/llm/tiny-llama/kubeai?revision=v1&format=json');
    expect((await body(res)).spec.env).toEqual({ HF_ENDPOINT: externalUrl });
    expect(res.headers.get('warning')).toMatch(/loopback/);
  });

  it('YAML (the default) parses to the same object; by commit id, tag and main it pins the right commit', async () => {
    const json = await body(await get('/api/v1/models/llm/tiny-llama/kubeai?revision=v1&format=json'));
    const yaml = await get(`/api/v1/models/llm/tiny-llama/kubeai?revision=${v1.commit}`);
    expect(yaml.headers.get('warning')).toMatch(/loopback/);
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
    const fromYaml = parse(await yaml.text());
    expect({ ...fromYaml, metadata: { ...fromYaml.metadata, annotations: { ...fromYaml.metadata.annotations, 'berth.dev/revision': 'v1' } } }).toEqual(json);
    const main = await body(await get('/api/v1/models/llm/tiny-llama/kubeai?format=json'));
    expect(main.spec.args).toEqual([`--revision=${latest.commit}`]);
    expect(modelErrors(main)).toEqual([]);
  });

  it('cacheProfile: refused (409) for a version main does not point at; rendered with a warning for the one it does', async () => {
    const refused = await get('/api/v1/models/llm/tiny-llama/kubeai?revision=v1&cacheProfile=standard-filestore');
    expect(refused.status).toBe(409);
    expect((await body(refused)).errors[0].message).toMatch(/default revision \(main\)/);
    const ok = await get(`/api/v1/models/llm/tiny-llama/kubeai?revision=latest&cacheProfile=standard-filestore&format=json&endpoint=${EXTERNAL}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('warning')).toMatch(/^299 berth ".*cacheProfile/);
    const model = await body(ok);
    expect(model.spec.cacheProfile).toBe('standard-filestore');
    expect(model.spec.args).toBeUndefined();
    expect(modelErrors(model)).toEqual([]);
  });

  it('the CEL checker itself catches broken Models (so a green check means something)', async () => {
    const model = await body(await get('/api/v1/models/llm/tiny-llama/kubeai?revision=v1&format=json&maxReplicas=2'));
    expect(modelErrors({ ...model, metadata: { ...model.metadata, name: 'x'.repeat(41) } })).toContain('name must not exceed 40 characters.');
    expect(modelErrors({ ...model, spec: { ...model.spec, url: 'pvc://models', cacheProfile: 'fs' } }).join()).toMatch(/cacheProfile is only supported/);
    expect(modelErrors({ ...model, spec: { ...model.spec, url: 'gs://bucket/m' } }).join()).toMatch(/gs:\/\/.*cacheProfile/);
    expect(modelErrors({ ...model, spec: { ...model.spec, minReplicas: 3 } })).toContain('minReplicas should be less than or equal to maxReplicas.');
    expect(modelErrors({ ...model, spec: { ...model.spec, url: 'http://x' } }).join()).toMatch(/url must start with/);
    expect(modelErrors({ ...model, spec: { ...model.spec, engine: 'TGI' } }).join()).toMatch(/engine/);
    expect(modelErrors({ ...model, spec: { ...model.spec, env: { HF_TOKEN: { valueFrom: {} } } } }).join()).toMatch(/env/);
    expect(modelErrors({ ...model, spec: { ...model.spec, revision: 'v1' } }).join()).toMatch(/additional properties/);
  });

  it('a public project gets no Secret; bad options get the REST error envelope', async () => {
    const open = await body(await get('/api/v1/models/open/tiny-llama/kubeai?format=json', {}));
    expect(open.spec.envFrom).toBeUndefined();
    expect(modelErrors(open)).toEqual([]);
    for (const query of ['engine=TGI', 'resourceProfile=l4', 'minReplicas=4&maxReplicas=2', 'engine=FasterWhisper', 'name=Not_OK', 'format=xml']) {
      const res = await get(`/api/v1/models/llm/tiny-llama/kubeai?revision=v1&${query}`);
      expect(res.status, query).toBe(400);
      expect((await body(res)).errors[0].code, query).toBe('INVALID');
    }
    const missing = await get('/api/v1/models/llm/tiny-llama/kubeai?revision=v404');
    expect(missing.status).toBe(404);
    expect((await body(missing)).errors[0].code).toBe('REVISION_NOT_FOUND');
  });

  it('needs pull on the project: anonymous 401, another project\'s robot 404, the project\'s robot 200', async () => {
    expect((await get('/api/v1/models/llm/tiny-llama/kubeai', {})).status).toBe(401);
    const other = await must(apiClient(berth.url, ADMIN).post('/api/v1/projects/open/robots', { name: 'elsewhere', permissions: ['pull'], expiresInDays: 1 }), 201);
    const foreign = await get('/api/v1/models/llm/tiny-llama/kubeai', { authorization: `Bearer ${other.body.secret as string}` });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain(v1.commit);
    expect((await get('/api/v1/models/llm/tiny-llama/kubeai', { authorization: `Bearer ${robotSecret}` })).status).toBe(200);
    expect((await get('/api/v1/models/llm/tiny-llama/kubeai', { authorization: `Bearer hf_${robotSecret}` })).status).toBe(200);
  });
});

describe('KServe InferenceService from GET /api/v1/models/{project}/{model}/kserve', () => {
  it('is valid against the KServe v1beta1 fields it uses, with the commit in storageUri as KServe parses it', async () => {
    const res = await get(`/api/v1/models/llm/tiny-llama/kserve?revision=v1&format=json&namespace=models&maxReplicas=2&endpoint=${EXTERNAL}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('warning')).toMatch(/ClusterStorageContainer/);
    const list = await body(res);
    expect(list.kind).toBe('List');
    const [sa, isvc] = list.items;
    expect(validateServiceAccount(sa), JSON.stringify(validateServiceAccount.errors)).toBe(true);
    expect(validateIsvc(isvc), JSON.stringify(validateIsvc.errors)).toBe(true);
    expect(kserveHfUri(isvc.spec.predictor.model.storageUri)).toEqual({ repoId: 'llm/tiny-llama', revision: v1.commit });
    expect(isvc.spec.predictor.serviceAccountName).toBe(sa.metadata.name);
    expect(sa.secrets).toEqual([{ name: 'berth-llm' }]);
    expect(isvc.spec.predictor.model.env).toContainEqual({ name: 'HF_ENDPOINT', value: EXTERNAL });
    expect(isvc.spec.predictor.model.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'berth-llm', key: 'HF_TOKEN' } } });
  });

  it('YAML is one document per object', async () => {
    const docs = parseAllDocuments(await (await get('/api/v1/models/llm/tiny-llama/kserve?revision=v1')).text()).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'InferenceService']);
    const open = parseAllDocuments(await (await get('/api/v1/models/open/tiny-llama/kserve', {})).text()).map((d) => d.toJS());
    expect(open.map((d) => d.kind)).toEqual(['InferenceService']);
    expect(validateIsvc(open[0]), JSON.stringify(validateIsvc.errors)).toBe(true);
  });
});

describe('berth kubeai manifest', () => {
  const creds = () => ['--creds', `${ADMIN.username}:${ADMIN.password}`];
  const env = () => isolatedEnv(work);

  it('prints a valid Model pinned to the commit of the tag', async () => {
    const run = await runCli(['kubeai', 'manifest', `${berth.host}/llm/tiny-llama:v1`, '--resource-profile', 'nvidia-gpu-l4:1', '--max-replicas', '2', '--arg=--max-model-len=4096', '--endpoint', EXTERNAL, ...creds()], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const model = parse(run.stdout);
    expect(model.spec.env).toEqual({ HF_ENDPOINT: EXTERNAL });
    expect(modelErrors(model)).toEqual([]);
    expect(model.spec.args).toEqual([`--revision=${v1.commit}`, '--max-model-len=4096']);
    expect(model.spec.resourceProfile).toBe('nvidia-gpu-l4:1');
  });

  it('accepts a digest reference and a robot token from BERTH_TOKEN', async () => {
    const run = await runCli(['kubeai', 'manifest', `${berth.host}/llm/tiny-llama@${latest.digest}`, '--json'], { ...env(), BERTH_TOKEN: robotSecret });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).spec.args).toEqual([`--revision=${latest.commit}`]);
  });

  it('explains a refused cacheProfile, and warns on stderr for an accepted one', async () => {
    const refused = await runCli(['kubeai', 'manifest', `${berth.host}/llm/tiny-llama:v1`, '--cache-profile', 'standard-filestore', ...creds()], env());
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/default revision \(main\)/);
    const ok = await runCli(['kubeai', 'manifest', `${berth.host}/llm/tiny-llama:latest`, '--cache-profile', 'standard-filestore', ...creds()], env());
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/^warning: cacheProfile/m);
    expect(ok.stderr).toMatch(/^warning: HF_ENDPOINT .* loopback/m);
    expect(modelErrors(parse(ok.stdout))).toEqual([]);
  });

  it('--kserve prints the ServiceAccount and the InferenceService', async () => {
    const run = await runCli(['kubeai', 'manifest', `${berth.host}/llm/tiny-llama:v1`, '--kserve', '--secret', 'my-berth-token', ...creds()], env());
    expect(run.code, run.stderr).toBe(0);
    const [sa, isvc] = parseAllDocuments(run.stdout).map((d) => d.toJS());
    expect(sa.secrets).toEqual([{ name: 'my-berth-token' }]);
    expect(validateIsvc(isvc), JSON.stringify(validateIsvc.errors)).toBe(true);
    expect(isvc.spec.predictor.model.storageUri).toBe(`hf://llm/tiny-llama:${v1.commit}`);
  });
});
