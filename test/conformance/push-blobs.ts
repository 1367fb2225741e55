// Conformance checks of blob pushes: monolithic (POST then PUT, single POST), streamed and chunked
// uploads with their 416 rules and status GETs, cancel, zero-byte and sha512 blobs, and mounts.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-blobs
import { expect } from 'vitest';
import { digestOf } from '../support/oci-client.js';
import { bodyBytes, bytesOf, expectError, expectStatus, withQuery, type OciClient } from './client.js';
import type { SuiteContext } from './suite.js';

const OCTETS = { 'content-type': 'application/octet-stream' };
const CHUNK = 1000;

function patchChunk(client: OciClient, location: string, bytes: Uint8Array, start: number, end: number): Promise<Response> {
  return client.request('PATCH', location, {
    headers: { ...OCTETS, 'content-range': `${start}-${end}` },
    body: bytes.subarray(start, end + 1),
  });
}

/** A chunked upload of three 1000-byte chunks with the first one sent; returns both Locations. */
async function firstChunkSent(client: OciClient) {
  const repo = client.repo('chunked');
  const bytes = bytesOf(3 * CHUNK, 3);
  const original = await client.startUpload(repo);
  const res = await patchChunk(client, original, bytes, 0, CHUNK - 1);
  await expectStatus(res, 202);
  return { repo, bytes, digest: digestOf(bytes), original, res, location: client.url(res.headers.get('location') ?? original) };
}

async function expectBlob(client: OciClient, repo: string, digest: string, bytes: Uint8Array): Promise<void> {
  const res = await client.request('GET', `/v2/${repo}/blobs/${digest}`);
  await expectStatus(res, 200);
  expect(await bodyBytes(res)).toEqual(bytes);
}

/** Registers the blob push checks. */
export function registerPushBlobs({ check }: SuiteContext): void {
  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#post-then-put
  check('POST then PUT: 202 with a Location, then 201 with a pullable Location and Docker-Content-Digest', async (client) => {
    const repo = client.repo('monolithic');
    const bytes = bytesOf(2048, 1);
    const digest = digestOf(bytes);
    const location = await client.startUpload(repo);
    const put = await client.request('PUT', withQuery(location, { digest }), { headers: OCTETS, body: bytes });
    await expectStatus(put, 201);
    expect(put.headers.get('docker-content-digest')).toBe(digest);
    const pulled = await client.request('GET', put.headers.get('location')!);
    await expectStatus(pulled, 200);
    expect(await bodyBytes(pulled)).toEqual(bytes);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#single-post
  check('single POST ?digest=: 201 with a Location (or 202 and the PUT completes it)', async (client) => {
    const repo = client.repo('single-post');
    const bytes = bytesOf(512, 2);
    const digest = digestOf(bytes);
    const post = await client.request('POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, { headers: OCTETS, body: bytes });
    await expectStatus(post, 201, 202);
    expect(post.headers.get('location')).toBeTruthy();
    if (post.status === 202) {
      const put = await client.request('PUT', withQuery(client.url(post.headers.get('location')!), { digest }), { headers: OCTETS, body: bytes });
      await expectStatus(put, 201);
    }
    await expectBlob(client, repo, digest, bytes);
  });

  // The streamed mode docker and containerd use (the official suite's "Blob Upload Streamed").
  check('streamed PATCH without Content-Range: 202 with Range 0-<end>, then PUT with the digest: 201', async (client) => {
    const repo = client.repo('streamed');
    const bytes = bytesOf(4096, 4);
    const location = await client.startUpload(repo);
    const patch = await client.request('PATCH', location, { headers: OCTETS, body: bytes });
    await expectStatus(patch, 202);
    expect(patch.headers.get('range')).toBe(`0-${bytes.length - 1}`);
    const put = await client.request('PUT', withQuery(client.url(patch.headers.get('location')!), { digest: digestOf(bytes) }));
    await expectStatus(put, 201);
    await expectBlob(client, repo, digestOf(bytes), bytes);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-a-blob-in-chunks
  check('chunked: the first chunk answers 202 with a Location and Range exactly 0-<end>', async (client) => {
    const { res } = await firstChunkSent(client);
    expect(res.headers.get('location')).toBeTruthy();
    expect(res.headers.get('range')).toBe(`0-${CHUNK - 1}`);
  });

  check('chunked: a chunk that skips ahead of the upload answers 416', async (client) => {
    const { bytes, location } = await firstChunkSent(client);
    await expectError(await patchChunk(client, location, bytes, 2 * CHUNK, 3 * CHUNK - 1), { 416: [] });
  });

  check('chunked: retrying the first chunk on the original location answers 416', async (client) => {
    const { bytes, original } = await firstChunkSent(client);
    await expectError(await patchChunk(client, original, bytes, 0, CHUNK - 1), { 416: [] });
  });

  check('chunked: GET on the original location answers 204 with the current Range and a Location', async (client) => {
    const { bytes, original } = await firstChunkSent(client);
    await patchChunk(client, original, bytes, 0, CHUNK - 1);
    const status = await client.request('GET', original);
    await expectStatus(status, 204);
    expect(status.headers.get('range')).toBe(`0-${CHUNK - 1}`);
    expect(status.headers.get('location')).toBeTruthy();
  });

  check('chunked: the next chunk on the returned Location answers 202 with Range 0-<new end>', async (client) => {
    const { bytes, location } = await firstChunkSent(client);
    const res = await patchChunk(client, location, bytes, CHUNK, 2 * CHUNK - 1);
    await expectStatus(res, 202);
    expect(res.headers.get('range')).toBe(`0-${2 * CHUNK - 1}`);
  });

  check('chunked: PUT with the digest and an empty body answers 201 and the blob reads back', async (client) => {
    const first = await firstChunkSent(client);
    let location = first.location;
    for (const start of [CHUNK, 2 * CHUNK]) {
      const res = await patchChunk(client, location, first.bytes, start, start + CHUNK - 1);
      await expectStatus(res, 202);
      location = client.url(res.headers.get('location')!);
    }
    const put = await client.request('PUT', withQuery(location, { digest: first.digest }), { headers: { 'content-length': '0' } });
    await expectStatus(put, 201);
    expect(put.headers.get('location')).toBeTruthy();
    await expectBlob(client, first.repo, first.digest, first.bytes);
  });

  check('chunked: the last chunk may go in the closing PUT', async (client) => {
    const first = await firstChunkSent(client);
    const put = await client.request('PUT', withQuery(first.location, { digest: first.digest }), {
      headers: { ...OCTETS, 'content-range': `${CHUNK}-${3 * CHUNK - 1}` },
      body: first.bytes.subarray(CHUNK),
    });
    await expectStatus(put, 201);
    await expectBlob(client, first.repo, first.digest, first.bytes);
  });

  // end-13 on a session with nothing uploaded yet.
  check('upload status of a new session: 204 with a Location', async (client) => {
    const location = await client.startUpload(client.repo('status'));
    const res = await client.request('GET', location);
    await expectStatus(res, 204);
    expect(res.headers.get('location')).toBeTruthy();
  });

  // end-14 (in the spec after v1.1.1): DELETE on the upload Location.
  check('upload cancel: DELETE answers 204, then the session is 404 BLOB_UPLOAD_UNKNOWN', async (client) => {
    const repo = client.repo('cancel');
    const bytes = bytesOf(100, 5);
    const patch = await client.request('PATCH', await client.startUpload(repo), { headers: OCTETS, body: bytes });
    await expectStatus(patch, 202);
    const location = client.url(patch.headers.get('location')!);
    await expectStatus(await client.request('DELETE', location, { headers: { 'content-length': '0' } }), 204);
    await expectError(await client.request('GET', location), { 404: ['BLOB_UPLOAD_UNKNOWN'] });
    await expectError(await client.request('PUT', withQuery(location, { digest: digestOf(bytes) })), { 404: ['BLOB_UPLOAD_UNKNOWN'] });
    await expectError(await client.request('HEAD', `/v2/${repo}/blobs/${digestOf(bytes)}`), { 404: [] });
  });

  check('zero-byte blob: POST then PUT, then HEAD with Content-Length 0 and an empty GET', async (client) => {
    const repo = client.repo('empty-blob');
    const digest = digestOf('');
    const location = await client.startUpload(repo);
    await expectStatus(await client.request('PUT', withQuery(location, { digest }), { headers: { ...OCTETS, 'content-length': '0' } }), 201);
    const head = await client.request('HEAD', `/v2/${repo}/blobs/${digest}`);
    await expectStatus(head, 200);
    expect(head.headers.get('content-length')).toBe('0');
    await expectBlob(client, repo, digest, new Uint8Array(0));
  });

  // Digests are algorithm-qualified: https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests
  check('sha512 blob: POST then PUT ?digest=sha512:..., readable and HEAD-able by that digest', async (client) => {
    const repo = client.repo('sha512');
    const bytes = bytesOf(1500, 6);
    const digest = digestOf(bytes, 'sha512');
    const location = await client.startUpload(repo);
    const put = await client.request('PUT', withQuery(location, { digest }), { headers: OCTETS, body: bytes });
    await expectStatus(put, 201);
    // "the canonical digest of the uploaded blob which MAY differ from the provided digest"
    expect([digest, digestOf(bytes)]).toContain(put.headers.get('docker-content-digest'));
    const head = await client.request('HEAD', `/v2/${repo}/blobs/${digest}`);
    await expectStatus(head, 200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    await expectBlob(client, repo, digest, bytes);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#mounting-a-blob-from-another-repository
  check('mount with from: 201 with a Location and Docker-Content-Digest; the blob is then in the target', async (client) => {
    const source = client.repo('mount-from');
    const target = client.repo('mount-to');
    const bytes = bytesOf(300, 8);
    const digest = await client.pushBlob(source, bytes);
    const res = await client.request('POST', `/v2/${target}/blobs/uploads/?mount=${digest}&from=${source}`, { headers: { 'content-length': '0' } });
    await expectStatus(res, 201);
    expect(res.headers.get('location')).toBeTruthy();
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    await expectBlob(client, target, digest, bytes);
  });

  check('mount without from (automatic content discovery): 201 and the blob is then in the target', async (client) => {
    const source = client.repo('automount-from');
    const target = client.repo('automount-to');
    const bytes = bytesOf(300, 9);
    const digest = await client.pushBlob(source, bytes);
    const res = await client.request('POST', `/v2/${target}/blobs/uploads/?mount=${digest}`, { headers: { 'content-length': '0' } });
    await expectStatus(res, 201);
    await expectBlob(client, target, digest, bytes);
  });

  check('mount of an unknown blob: 202 with a Location where the upload can proceed', async (client) => {
    const source = client.repo('mount-missing-from');
    const target = client.repo('mount-missing-to');
    const bytes = bytesOf(200, 10);
    const digest = digestOf(bytes);
    await client.pushBlob(source, 'something else');
    const res = await client.request('POST', `/v2/${target}/blobs/uploads/?mount=${digest}&from=${source}`, { headers: { 'content-length': '0' } });
    await expectStatus(res, 202);
    const put = await client.request('PUT', withQuery(client.url(res.headers.get('location')!), { digest }), { headers: OCTETS, body: bytes });
    await expectStatus(put, 201);
    await expectBlob(client, target, digest, bytes);
  });
}
