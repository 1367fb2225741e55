// Conformance checks of manifest pushes: by tag and digest, exact bytes, the manifest kinds real
// clients push (OCI image and index, Docker schema2 and manifest list, artifacts), missing
// references, subjects, sha512 digests and the 4 MiB size guidance.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests
import { expect } from 'vitest';
import { descriptorOf, digestOf, pushImage } from '../support/oci-client.js';
import { EMPTY_JSON, EMPTY_JSON_DIGEST, expectError, expectStatus, Types, type OciClient } from './client.js';
import type { SuiteContext } from './suite.js';

const MIB = 1024 * 1024;

/** An OCI image manifest over blobs pushed to `repo`; `fields` are merged in. */
async function imageManifest(client: OciClient, repo: string, fields: Record<string, unknown> = {}) {
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  const layer = `layer for ${repo}`;
  await client.pushBlob(repo, config);
  await client.pushBlob(repo, layer);
  return {
    schemaVersion: 2,
    mediaType: Types.ociManifest,
    config: descriptorOf(config, Types.ociConfig),
    layers: [descriptorOf(layer, Types.ociLayer)],
    ...fields,
  };
}

/** A manifest padded with an annotation to exactly `size` bytes. */
function paddedManifest(base: Record<string, unknown>, size: number): string {
  const empty = JSON.stringify({ ...base, annotations: { 'org.example.padding': '' } });
  return JSON.stringify({ ...base, annotations: { 'org.example.padding': 'x'.repeat(size - empty.length) } });
}

async function expectManifest(client: OciClient, repo: string, reference: string, bytes: string, mediaType: string): Promise<void> {
  const res = await client.request('GET', `/v2/${repo}/manifests/${reference}`, { headers: { accept: mediaType } });
  await expectStatus(res, 200);
  expect(res.headers.get('content-type')).toBe(mediaType);
  expect(await res.text()).toBe(bytes);
}

/** Registers the manifest push checks. */
export function registerPushManifests({ check }: SuiteContext): void {
  check('manifest PUT by tag: 201 with Location and Docker-Content-Digest', async (client) => {
    const repo = client.repo('manifest-tag');
    const bytes = JSON.stringify(await imageManifest(client, repo));
    const res = await client.putManifest(repo, 'v1', bytes, Types.ociManifest);
    await expectStatus(res, 201);
    expect(res.headers.get('location')).toBeTruthy();
    expect(res.headers.get('docker-content-digest')).toBe(digestOf(bytes));
    await expectManifest(client, repo, 'v1', bytes, Types.ociManifest);
  });

  check('manifest PUT by digest: 201 with Location and Docker-Content-Digest equal to that digest', async (client) => {
    const repo = client.repo('manifest-digest');
    const bytes = JSON.stringify(await imageManifest(client, repo));
    const res = await client.putManifest(repo, digestOf(bytes), bytes, Types.ociManifest);
    await expectStatus(res, 201);
    expect(res.headers.get('location')).toBeTruthy();
    expect(res.headers.get('docker-content-digest')).toBe(digestOf(bytes));
    await expectManifest(client, repo, digestOf(bytes), bytes, Types.ociManifest);
  });

  // "The registry MUST store the manifest in the exact byte representation provided by the client."
  check('manifest bytes come back exactly as pushed (odd whitespace and key order)', async (client) => {
    const repo = client.repo('exact-bytes');
    const m = await imageManifest(client, repo);
    const bytes = `\n{ "layers" :[ ${JSON.stringify(m.layers[0])} ],\t"config":${JSON.stringify(m.config)},\r\n  "schemaVersion":   2 ,"mediaType":"${Types.ociManifest}"}  \n`;
    const res = await client.putManifest(repo, 'odd', bytes, Types.ociManifest);
    await expectStatus(res, 201);
    expect(res.headers.get('docker-content-digest')).toBe(digestOf(bytes));
    await expectManifest(client, repo, digestOf(bytes), bytes, Types.ociManifest);
    await expectManifest(client, repo, 'odd', bytes, Types.ociManifest);
  });

  check('manifest moved to a new tag target: the tag then resolves to the new manifest', async (client) => {
    const repo = client.repo('retag');
    const first = await pushImage(client.base, repo, 'moving', ['one']);
    const second = await pushImage(client.base, repo, 'moving', ['two']);
    const res = await client.request('HEAD', `/v2/${repo}/manifests/moving`);
    await expectStatus(res, 200);
    expect(res.headers.get('docker-content-digest')).toBe(second.digest);
    await expectStatus(await client.request('HEAD', `/v2/${repo}/manifests/${first.digest}`), 200);
  });

  // "The uploaded manifest MUST reference any blobs that make up the object. However, the list of blobs MAY be empty."
  check('image manifest with no layers: 201', async (client) => {
    const repo = client.repo('no-layers');
    const bytes = JSON.stringify(await imageManifest(client, repo, { layers: [] }));
    await expectStatus(await client.putManifest(repo, 'empty', bytes, Types.ociManifest), 201);
    await expectManifest(client, repo, 'empty', bytes, Types.ociManifest);
  });

  check('OCI image index over a pushed manifest: 201, served with its media type', async (client) => {
    const repo = client.repo('index');
    const image = await pushImage(client.base, repo, 'amd64');
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: Types.ociIndex,
      manifests: [{ ...descriptorOf(image.bytes, Types.ociManifest), platform: { architecture: 'amd64', os: 'linux' } }],
    });
    const res = await client.putManifest(repo, 'multi', index, Types.ociIndex);
    await expectStatus(res, 201);
    expect(res.headers.get('docker-content-digest')).toBe(digestOf(index));
    await expectManifest(client, repo, 'multi', index, Types.ociIndex);
  });

  check('Docker schema2 manifest and manifest list: 201, each served with its media type', async (client) => {
    const repo = client.repo('docker');
    const config = JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const layer = 'docker layer bytes';
    await client.pushBlob(repo, config);
    await client.pushBlob(repo, layer);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: Types.dockerManifest,
      config: descriptorOf(config, Types.dockerConfig),
      layers: [descriptorOf(layer, Types.dockerLayer)],
    });
    await expectStatus(await client.putManifest(repo, 'arm64', manifest, Types.dockerManifest), 201);
    await expectManifest(client, repo, 'arm64', manifest, Types.dockerManifest);
    const list = JSON.stringify({
      schemaVersion: 2,
      mediaType: Types.dockerList,
      manifests: [{ ...descriptorOf(manifest, Types.dockerManifest), platform: { architecture: 'arm64', os: 'linux' } }],
    });
    await expectStatus(await client.putManifest(repo, 'multi', list, Types.dockerList), 201);
    await expectManifest(client, repo, 'multi', list, Types.dockerList);
  });

  // https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md#guidelines-for-artifact-usage
  check('artifact manifest with artifactType and the empty config (sha256:44136fa..., size 2): 201', async (client) => {
    expect(digestOf(EMPTY_JSON)).toBe(EMPTY_JSON_DIGEST);
    const repo = client.repo('artifact');
    const { bytes, digest } = await client.pushArtifact(repo, { artifactType: 'application/vnd.example.model.v1' }, 'model');
    await expectManifest(client, repo, 'model', bytes, Types.ociManifest);
    await expectManifest(client, repo, digest, bytes, Types.ociManifest);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#push
  check('manifest referencing a missing blob: 400 MANIFEST_BLOB_UNKNOWN and nothing stored', async (client) => {
    const repo = client.repo('missing-blob');
    const m = await imageManifest(client, repo);
    const bytes = JSON.stringify({ ...m, layers: [...m.layers, descriptorOf('never pushed', Types.ociLayer)] });
    await expectError(await client.putManifest(repo, 'broken', bytes, Types.ociManifest), { 400: ['MANIFEST_BLOB_UNKNOWN'] });
    await expectError(await client.request('HEAD', `/v2/${repo}/manifests/broken`), { 404: [] });
    await expectError(await client.request('HEAD', `/v2/${repo}/manifests/${digestOf(bytes)}`), { 404: [] });
  });

  check('index referencing a missing manifest: 400 MANIFEST_BLOB_UNKNOWN and nothing stored', async (client) => {
    const repo = client.repo('missing-child');
    await client.pushBlob(repo, 'placeholder');
    const index = JSON.stringify({ schemaVersion: 2, mediaType: Types.ociIndex, manifests: [descriptorOf('{"not":"pushed"}', Types.ociManifest)] });
    await expectError(await client.putManifest(repo, 'broken', index, Types.ociIndex), { 400: ['MANIFEST_BLOB_UNKNOWN'] });
    await expectError(await client.request('HEAD', `/v2/${repo}/manifests/broken`), { 404: [] });
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#push
  check('manifest whose subject does not exist: 201', async (client) => {
    const repo = client.repo('dangling-subject');
    const subject = descriptorOf('{"subject":"not pushed"}', Types.ociManifest);
    const { digest } = await client.pushArtifact(repo, { artifactType: 'application/vnd.example.sig', subject });
    await expectStatus(await client.request('HEAD', `/v2/${repo}/manifests/${digest}`), 200);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests-with-subject
  check('manifest with a subject: 201 with OCI-Subject: <subject digest>', async (client) => {
    const repo = client.repo('oci-subject');
    const image = await pushImage(client.base, repo, 'v1');
    await client.pushBlob(repo, EMPTY_JSON);
    const bytes = JSON.stringify({
      schemaVersion: 2,
      mediaType: Types.ociManifest,
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: Types.ociEmpty, digest: EMPTY_JSON_DIGEST, size: 2 },
      layers: [{ mediaType: Types.ociEmpty, digest: EMPTY_JSON_DIGEST, size: 2 }],
      subject: descriptorOf(image.bytes, Types.ociManifest),
    });
    const res = await client.putManifest(repo, digestOf(bytes), bytes, Types.ociManifest);
    await expectStatus(res, 201);
    expect(res.headers.get('oci-subject')).toBe(image.digest);
  });

  check('manifest pushed by a sha512 digest: 201, served by that digest with Docker-Content-Digest', async (client) => {
    const repo = client.repo('sha512-manifest');
    const bytes = JSON.stringify(await imageManifest(client, repo));
    const digest = digestOf(bytes, 'sha512');
    const res = await client.putManifest(repo, digest, bytes, Types.ociManifest);
    await expectStatus(res, 201);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    const get = await client.request('GET', `/v2/${repo}/manifests/${digest}`, { headers: { accept: Types.ociManifest } });
    await expectStatus(get, 200);
    expect(get.headers.get('docker-content-digest')).toBe(digest);
    expect(await get.text()).toBe(bytes);
  });

  // "Client and registry implementations SHOULD expect to be able to support manifest pushes of at least 4 megabytes."
  check('manifest just under 4 MiB: 201', async (client) => {
    const repo = client.repo('big-manifest');
    const bytes = paddedManifest(await imageManifest(client, repo), 4 * MIB - 1024);
    expect(bytes.length).toBe(4 * MIB - 1024);
    await expectStatus(await client.putManifest(repo, 'big', bytes, Types.ociManifest), 201);
    await expectManifest(client, repo, 'big', bytes, Types.ociManifest);
  });

  // "A registry that enforces this limit SHOULD respond ... with a response code 413 Payload Too Large."
  check('manifest over 4 MiB: 413 and nothing stored', async (client) => {
    const repo = client.repo('huge-manifest');
    const bytes = paddedManifest(await imageManifest(client, repo), 4 * MIB + 1024);
    await expectError(await client.putManifest(repo, 'huge', bytes, Types.ociManifest), { 413: [] });
    await expectError(await client.request('HEAD', `/v2/${repo}/manifests/huge`), { 404: [] });
  });
}
