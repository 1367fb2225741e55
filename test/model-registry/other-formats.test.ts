// Push-to-register for the model packagings other tools push: an ORMB model and a KitOps ModelKit
// pushed over OCI become a registered model, a version bound to the digest and a model artifact, with
// the format and framework their configs state, just as a ModelPack artifact does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { descriptorOf, pushBlob, putManifest } from '../support/oci-client.js';
import { apiClient, must } from '../support/registry-auth.js';

let berth: BerthProcess;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  berth = await startBerth();
  api = apiClient(berth.url);
});
afterAll(async () => {
  await berth.dispose();
});

async function pushArtifact(repo: string, tag: string, config: object, configType: string, layer: { bytes: string; mediaType: string }): Promise<string> {
  const configBytes = JSON.stringify(config);
  await pushBlob(berth.url, repo, configBytes);
  await pushBlob(berth.url, repo, layer.bytes);
  const res = await putManifest(berth.url, repo, tag, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: descriptorOf(configBytes, configType),
    layers: [descriptorOf(layer.bytes, layer.mediaType)],
  });
  expect(res.status).toBe(201);
  return res.headers.get('docker-content-digest')!;
}

describe('registering other model packagings', () => {
  it('registers an ORMB model with the format and framework of its ormbfile', async () => {
    const digest = await pushArtifact('formats/ormb', 'v1', { format: 'SavedModel', framework: 'TensorFlow', author: 'someone' }, 'application/vnd.caicloud.model.config.v1alpha1+json', { bytes: 'a gzip tar of model/', mediaType: 'application/tar+gzip' });
    const version = (await must(api.get('/api/v1/models/formats/ormb/versions/v1'), 200)).body;
    expect(version).toMatchObject({ name: 'v1', state: 'LIVE', digest, tag: 'v1', format: 'SavedModel', uri: `oci://${berth.host}/formats/ormb@${digest}` });
    expect(version.properties).toMatchObject({ 'berth.packaging': 'ormb', 'berth.digest': digest, framework: 'TensorFlow' });
  });

  it('registers a KitOps ModelKit with the format and framework of its Kitfile model', async () => {
    const kitfile = { manifestVersion: '1.0.0', package: { name: 'kit' }, model: { name: 'm', path: 'models/model.gguf', format: 'gguf', framework: 'llama.cpp' } };
    const digest = await pushArtifact('formats/kit', 'v2', kitfile, 'application/vnd.kitops.modelkit.config.v1+json', { bytes: 'a tar of the model', mediaType: 'application/vnd.kitops.modelkit.model.v1.tar+gzip' });
    const version = (await must(api.get('/api/v1/models/formats/kit/versions/v2'), 200)).body;
    expect(version).toMatchObject({ digest, format: 'gguf' });
    expect(version.properties).toMatchObject({ 'berth.packaging': 'kitops', framework: 'llama.cpp' });
    const kubeflow = (await must(api.get(`/api/model_registry/v1alpha3/registered_model?name=${encodeURIComponent('formats/kit')}`), 200)).body;
    expect(kubeflow).toMatchObject({ name: 'formats/kit', state: 'LIVE' });
  });

  it('leaves plain container images and unknown configs unregistered', async () => {
    await pushArtifact('formats/image', 'v1', { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }, 'application/vnd.oci.image.config.v1+json', { bytes: 'layer', mediaType: 'application/vnd.oci.image.layer.v1.tar' });
    expect((await api.get('/api/v1/models/formats/image')).status).toBe(404);
  });
});
