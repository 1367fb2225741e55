// Conformance checks of the pull category: the API version check, HEAD and GET of blobs and
// manifests by digest and tag, 404s for unknown content, and RFC 9110 Range requests on blobs.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pull
import { expect } from 'vitest';
import { digestOf, pushImage } from '../support/oci-client.js';
import { bodyBytes, bytesOf, expectError, expectStatus, Types, type OciClient } from './client.js';
import type { SuiteContext } from './suite.js';

const MISSING = digestOf('content nobody pushed');

async function image(client: OciClient) {
  const repo = client.repo('pull');
  const layer = 'a small layer for pulling';
  const pushed = await pushImage(client.base, repo, 'v1', [layer]);
  return { repo, tag: 'v1', layer, ...pushed };
}

async function blob(client: OciClient, size = 100) {
  const repo = client.repo('range');
  const bytes = bytesOf(size, 7);
  const digest = await client.pushBlob(repo, bytes);
  return { repo, bytes, digest, path: `/v2/${repo}/blobs/${digest}` };
}

/** Registers the pull checks. */
export function registerPull({ check }: SuiteContext): void {
  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#determining-support
  check('GET /v2/ answers 200', async (client) => {
    await expectStatus(await client.request('GET', '/v2/'), 200);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#checking-if-content-exists-in-the-registry
  check('HEAD blob by digest: 200 with Docker-Content-Digest and Content-Length', async (client) => {
    const { repo, layer } = await image(client);
    const res = await client.request('HEAD', `/v2/${repo}/blobs/${digestOf(layer)}`);
    await expectStatus(res, 200);
    expect(res.headers.get('docker-content-digest')).toBe(digestOf(layer));
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(layer)));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-blobs
  check('GET blob by digest: 200 with the exact bytes, Docker-Content-Digest and Content-Length', async (client) => {
    const { repo, layer } = await image(client);
    const res = await client.request('GET', `/v2/${repo}/blobs/${digestOf(layer)}`);
    await expectStatus(res, 200);
    expect(res.headers.get('docker-content-digest')).toBe(digestOf(layer));
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(layer)));
    expect(Buffer.from(await bodyBytes(res)).toString()).toBe(layer);
  });

  for (const by of ['tag', 'digest'] as const) {
    // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#checking-if-content-exists-in-the-registry
    check(`HEAD manifest by ${by}: 200 with Docker-Content-Digest, Content-Length and Content-Type`, async (client) => {
      const { repo, tag, digest, bytes } = await image(client);
      const res = await client.request('HEAD', `/v2/${repo}/manifests/${by === 'tag' ? tag : digest}`);
      await expectStatus(res, 200);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(bytes)));
      expect(res.headers.get('content-type')).toBe(Types.ociManifest);
    });

    // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-manifests
    check(`GET manifest by ${by}: 200 with the pushed bytes, Content-Type and Docker-Content-Digest`, async (client) => {
      const { repo, tag, digest, bytes } = await image(client);
      const res = await client.request('GET', `/v2/${repo}/manifests/${by === 'tag' ? tag : digest}`, { headers: { accept: Types.ociManifest } });
      await expectStatus(res, 200);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(res.headers.get('content-type')).toBe(Types.ociManifest);
      expect(await res.text()).toBe(bytes);
    });
  }

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-blobs
  check('unknown blob: HEAD 404, GET 404 BLOB_UNKNOWN', async (client) => {
    const { repo } = await image(client);
    await expectError(await client.request('HEAD', `/v2/${repo}/blobs/${MISSING}`), { 404: [] });
    await expectError(await client.request('GET', `/v2/${repo}/blobs/${MISSING}`), { 404: ['BLOB_UNKNOWN'] });
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-manifests
  check('unknown manifest by tag: HEAD 404, GET 404 MANIFEST_UNKNOWN', async (client) => {
    const { repo } = await image(client);
    await expectError(await client.request('HEAD', `/v2/${repo}/manifests/nosuchtag`), { 404: [] });
    await expectError(await client.request('GET', `/v2/${repo}/manifests/nosuchtag`), { 404: ['MANIFEST_UNKNOWN'] });
  });

  check('unknown manifest by digest: HEAD 404, GET 404 MANIFEST_UNKNOWN', async (client) => {
    const { repo } = await image(client);
    await expectError(await client.request('HEAD', `/v2/${repo}/manifests/${MISSING}`), { 404: [] });
    await expectError(await client.request('GET', `/v2/${repo}/manifests/${MISSING}`), { 404: ['MANIFEST_UNKNOWN'] });
  });

  check('manifest in a repository that does not exist: 404', async (client) => {
    const res = await client.request('GET', `/v2/${client.repo('never-pushed')}/manifests/latest`);
    await expectError(res, { 404: ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'] });
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-blobs and
  // https://www.rfc-editor.org/rfc/rfc9110.html#name-range-requests
  check('Range bytes=10-29: 206 with Content-Range and exactly those bytes', async (client) => {
    const { bytes, path } = await blob(client);
    const res = await client.request('GET', path, { headers: { range: 'bytes=10-29' } });
    await expectStatus(res, 206);
    expect(res.headers.get('content-range')).toBe(`bytes 10-29/${bytes.length}`);
    expect(res.headers.get('content-length')).toBe('20');
    expect(await bodyBytes(res)).toEqual(bytes.subarray(10, 30));
  });

  check('Range bytes=-16 (suffix): 206 with the last 16 bytes', async (client) => {
    const { bytes, path } = await blob(client);
    const res = await client.request('GET', path, { headers: { range: 'bytes=-16' } });
    await expectStatus(res, 206);
    expect(res.headers.get('content-range')).toBe(`bytes ${bytes.length - 16}-${bytes.length - 1}/${bytes.length}`);
    expect(await bodyBytes(res)).toEqual(bytes.subarray(bytes.length - 16));
  });

  check('Range bytes=90- (open): 206 from the offset to the end', async (client) => {
    const { bytes, path } = await blob(client);
    const res = await client.request('GET', path, { headers: { range: 'bytes=90-' } });
    await expectStatus(res, 206);
    expect(res.headers.get('content-range')).toBe(`bytes 90-${bytes.length - 1}/${bytes.length}`);
    expect(await bodyBytes(res)).toEqual(bytes.subarray(90));
  });

  check('Range past the end: 416 with Content-Range bytes */<size>', async (client) => {
    const { bytes, path } = await blob(client);
    const res = await client.request('GET', path, { headers: { range: `bytes=${bytes.length + 10}-` } });
    await expectStatus(res, 416);
    expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
  });
}
