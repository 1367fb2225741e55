// `berth pull` reads the model artifacts other tools push: ModelPack under its older CNAI names,
// ORMB (one gzip tar of model/), and KitOps ModelKits (tar layers placed by the Kitfile config).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCliOk } from '../support/cli.js';
import { descriptorOf, pushBlob, putManifest } from '../support/oci-client.js';
import { treeDigests } from '../support/trees.js';

let berth: BerthProcess;
let work: string;
const env = () => ({ XDG_CACHE_HOME: join(work, 'cache'), BERTH_TOKEN: '' });

beforeAll(async () => {
  berth = await startBerth();
  work = mkdtempSync(join(tmpdir(), 'berth-formats-'));
});
afterAll(async () => {
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

async function tarOf(cwd: string, entries: string[], gzip: boolean): Promise<Buffer> {
  const file = join(work, `layer-${Math.random().toString(36).slice(2)}.tar`);
  await createTar({ cwd, file, gzip, portable: true }, entries);
  return readFileSync(file);
}

async function pushArtifact(repo: string, config: object, configType: string, layers: Array<{ bytes: Buffer | string; mediaType: string; annotations?: Record<string, string> }>, extra: object = {}) {
  const configBytes = JSON.stringify(config);
  await pushBlob(berth.url, repo, configBytes);
  for (const layer of layers) await pushBlob(berth.url, repo, layer.bytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    ...extra,
    config: descriptorOf(configBytes, configType),
    layers: layers.map((l) => descriptorOf(l.bytes, l.mediaType, l.annotations ? { annotations: l.annotations } : {})),
  };
  const res = await putManifest(berth.url, repo, 'v1', manifest);
  expect(res.status).toBe(201);
}

describe('berth pull of other model formats', () => {
  it('reads a ModelPack artifact with the older vnd.cnai names', async () => {
    const files = { 'config.json': '{"architectures":["BertModel"]}', 'weights/model.safetensors': 'not really weights', 'README.md': '# old names' };
    await pushArtifact(
      'formats/cnai',
      { descriptor: { name: 'cnai' }, config: {}, modelfs: { type: 'layers', diffIds: [] } },
      'application/vnd.cnai.model.config.v1+json',
      Object.entries(files).map(([path, bytes]) => ({ bytes, mediaType: 'application/vnd.cnai.model.weight.v1.raw', annotations: { 'org.cnai.model.filepath': path } })),
      { artifactType: 'application/vnd.cnai.model.manifest.v1+json' },
    );
    const out = join(work, 'cnai-out');
    const pulled = JSON.parse((await runCliOk(['pull', `${berth.host}/formats/cnai:v1`, out, '--json'], env())).stdout) as { format: string };
    expect(pulled.format).toBe('modelpack-cnai');
    expect(Object.keys(await treeDigests(out)).sort()).toEqual(Object.keys(files).sort());
  });

  it('reads an ORMB model: one gzip tar of model/, unpacked without that folder', async () => {
    const src = join(work, 'ormb-src');
    writeTree(src, { 'model/saved_model.pb': 'graph', 'model/variables/variables.index': 'index', 'model/variables/variables.data-00000-of-00001': 'data' });
    await pushArtifact('formats/ormb', { format: 'SavedModel', author: 'someone' }, 'application/vnd.caicloud.model.config.v1alpha1+json', [
      { bytes: await tarOf(src, ['model'], true), mediaType: 'application/tar+gzip' },
    ]);
    const out = join(work, 'ormb-out');
    const pulled = JSON.parse((await runCliOk(['pull', `${berth.host}/formats/ormb:v1`, out, '--json'], env())).stdout) as { format: string };
    expect(pulled.format).toBe('ormb');
    expect(await treeDigests(out)).toEqual(await treeDigests(join(src, 'model')));
  });

  it('reads a KitOps ModelKit: model, code and docs layers placed by the Kitfile', async () => {
    const src = join(work, 'kit-src');
    writeTree(src, { 'models/model.gguf': 'GGUF....', 'src/serve.py': 'print(1)', 'README.md': '# kit' });
    const model = await tarOf(src, ['models/model.gguf'], true);
    const code = await tarOf(src, ['src'], true);
    const docs = await tarOf(src, ['README.md'], false);
    const kitfile = {
      manifestVersion: '1.0.0',
      package: { name: 'kit' },
      model: { name: 'm', path: 'models/model.gguf', digest: descriptorOf(model, '').digest },
      code: [{ path: 'src', digest: descriptorOf(code, '').digest }],
      docs: [{ path: 'README.md', digest: descriptorOf(docs, '').digest }],
    };
    await pushArtifact('formats/kit', kitfile, 'application/vnd.kitops.modelkit.config.v1+json', [
      { bytes: model, mediaType: 'application/vnd.kitops.modelkit.model.v1.tar+gzip' },
      { bytes: code, mediaType: 'application/vnd.kitops.modelkit.code.v1.tar+gzip' },
      { bytes: docs, mediaType: 'application/vnd.kitops.modelkit.docs.v1.tar' },
    ]);
    const out = join(work, 'kit-out');
    const pulled = JSON.parse((await runCliOk(['pull', `${berth.host}/formats/kit:v1`, out, '--json'], env())).stdout) as { format: string };
    expect(pulled.format).toBe('kitops');
    expect(await treeDigests(out)).toEqual(await treeDigests(src));
  });
});
