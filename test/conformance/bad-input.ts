// Conformance checks of bad input: malformed names, digests, tags, Content-Ranges and manifests, and
// digest mismatches. Each must be refused with a spec error and change nothing on the registry.
// Grammar: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-manifests
// Digests: https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests
import { expect } from 'vitest';
import { descriptorOf, digestOf, pushImage } from '../support/oci-client.js';
import { bytesOf, expectError, expectStatus, Types, withQuery, type OciClient } from './client.js';
import type { SuiteContext } from './suite.js';

/** A refused name: NAME_INVALID, or a router's 404 for a path that names no repository. */
const NAME_REFUSED = { 400: ['NAME_INVALID'], 404: [] } as const;
const OCTETS = { 'content-type': 'application/octet-stream' };

const BAD_DIGESTS: Record<string, string> = {
  'not hex (sha256:totallywrong)': 'sha256:totallywrong',
  'an unknown algorithm (md5:...)': 'md5:d41d8cd98f00b204e9800998ecf8427e',
  'the wrong length (63 hex digits)': `sha256:${'a'.repeat(63)}`,
};

async function imageBytes(client: OciClient, repo: string, fields: Record<string, unknown> = {}): Promise<string> {
  const config = '{"architecture":"amd64","os":"linux"}';
  await client.pushBlob(repo, config);
  return JSON.stringify({ schemaVersion: 2, mediaType: Types.ociManifest, config: descriptorOf(config, Types.ociConfig), layers: [], ...fields });
}

async function expectNoManifest(client: OciClient, repo: string, ...references: string[]): Promise<void> {
  for (const ref of references) await expectError(await client.request('HEAD', `/v2/${repo}/manifests/${ref}`), { 404: [] });
}

/** Registers the bad input checks. */
export function registerBadInput({ check }: SuiteContext): void {
  const badNames: Record<string, (client: OciClient) => string> = {
    'uppercase letters': (c) => c.repo('upper').replace('conformance', 'Conformance'),
    'a trailing slash': (c) => `${c.repo('slash')}/`,
    'over 255 characters': (c) => `${c.repo('long')}/${'a'.repeat(250)}`,
  };
  for (const [what, name] of Object.entries(badNames)) {
    check(`repository name with ${what}: 400 NAME_INVALID or 404 on push and pull`, async (client) => {
      const repo = name(client);
      const post = await client.request('POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': '0' } });
      await expectError(post, NAME_REFUSED);
      expect(post.headers.get('location')).toBeNull();
      await expectError(await client.request('GET', `/v2/${repo}/tags/list`), NAME_REFUSED);
    });
  }

  check('repository name with a ".." path segment: 400 NAME_INVALID or 404', async (client) => {
    const repo = `${client.repo('dots')}/../escape`;
    await expectError(await client.raw('POST', `/v2/${repo}/blobs/uploads/`), NAME_REFUSED);
    await expectError(await client.raw('GET', `/v2/${repo}/tags/list`), NAME_REFUSED);
  });

  for (const [what, digest] of Object.entries(BAD_DIGESTS)) {
    check(`digest with ${what}: 400 DIGEST_INVALID for blobs and manifests`, async (client) => {
      const repo = client.repo('bad-digest');
      await pushImage(client.base, repo, 'v1');
      await expectError(await client.request('GET', `/v2/${repo}/blobs/${digest}`), { 400: ['DIGEST_INVALID'] });
      await expectError(await client.request('GET', `/v2/${repo}/manifests/${digest}`), { 400: ['DIGEST_INVALID'] });
    });
  }

  check('closing an upload with ?digest=sha256:totallywrong: 400 DIGEST_INVALID', async (client) => {
    const location = await client.startUpload(client.repo('bad-put-digest'));
    const put = await client.request('PUT', withQuery(location, { digest: 'sha256:totallywrong' }), { headers: OCTETS, body: 'bytes' });
    await expectError(put, { 400: ['DIGEST_INVALID'] });
  });

  // Tags: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
  for (const [what, tag] of Object.entries({ 'a leading dash': '-dash', '129 characters': 't'.repeat(129) })) {
    check(`tag with ${what}: manifest PUT refused with 400 (or 404) and nothing stored`, async (client) => {
      const repo = client.repo('bad-tag');
      const bytes = await imageBytes(client, repo);
      await expectError(await client.putManifest(repo, tag, bytes, Types.ociManifest), { 400: [], 404: [] });
      await expectNoManifest(client, repo, digestOf(bytes));
    });
  }

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-a-blob-in-chunks
  for (const [what, range] of Object.entries({ 'not a range': 'garbage', 'its end before its start': '4-2' })) {
    check(`Content-Range with ${what}: 416 or 400, and the upload is unchanged`, async (client) => {
      const started = await client.startUpload(client.repo('bad-range'));
      const first = await client.request('PATCH', started, { headers: { ...OCTETS, 'content-range': '0-3' }, body: 'abcd' });
      await expectStatus(first, 202);
      const location = client.url(first.headers.get('location')!);
      const res = await client.request('PATCH', location, { headers: { ...OCTETS, 'content-range': range }, body: 'efgh' });
      await expectError(res, { 400: [], 416: [] });
      const status = await client.request('GET', location);
      await expectStatus(status, 204);
      expect(status.headers.get('range')).toBe('0-3');
    });
  }

  check('Content-Range longer than the body: 416 or 400', async (client) => {
    const location = await client.startUpload(client.repo('short-chunk'));
    const res = await client.request('PATCH', location, { headers: { ...OCTETS, 'content-range': '0-9' }, body: 'abcd' });
    await expectError(res, { 400: [], 416: [] });
  });

  check('PATCH to an upload session that does not exist: 404 BLOB_UPLOAD_UNKNOWN', async (client) => {
    const repo = client.repo('no-session');
    await client.pushBlob(repo, 'anything');
    const res = await client.request('PATCH', `/v2/${repo}/blobs/uploads/0b7c6c2c-7a0e-4f0e-9d51-7e1e6d3f2a10`, { headers: OCTETS, body: 'abcd' });
    await expectError(res, { 404: ['BLOB_UPLOAD_UNKNOWN'] });
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests
  const badManifests: Record<string, (client: OciClient, repo: string) => Promise<{ bytes: string; type: string }>> = {
    'invalid JSON': async () => ({ bytes: '{"schemaVersion": 2, "config": ', type: Types.ociManifest }),
    'schemaVersion 3': async (c, repo) => ({ bytes: await imageBytes(c, repo, { schemaVersion: 3 }), type: Types.ociManifest }),
    'a Content-Type that contradicts its mediaType': async (c, repo) => ({ bytes: await imageBytes(c, repo), type: Types.dockerManifest }),
  };
  for (const [what, make] of Object.entries(badManifests)) {
    check(`manifest with ${what}: 400 MANIFEST_INVALID and nothing stored`, async (client) => {
      const repo = client.repo('bad-manifest');
      const { bytes, type } = await make(client, repo);
      await expectError(await client.putManifest(repo, 'bad', bytes, type), { 400: ['MANIFEST_INVALID'] });
      await expectNoManifest(client, repo, 'bad', digestOf(bytes));
    });
  }

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#post-then-put
  check('PUT upload with a digest that does not match the bytes: 400 DIGEST_INVALID and no blob', async (client) => {
    const repo = client.repo('digest-mismatch');
    const bytes = bytesOf(256, 11);
    const claimed = digestOf('other bytes');
    const location = await client.startUpload(repo);
    await expectError(await client.request('PUT', withQuery(location, { digest: claimed }), { headers: OCTETS, body: bytes }), { 400: ['DIGEST_INVALID'] });
    await expectError(await client.request('HEAD', `/v2/${repo}/blobs/${claimed}`), { 404: [] });
    await expectError(await client.request('HEAD', `/v2/${repo}/blobs/${digestOf(bytes)}`), { 404: [] });
  });

  check('single POST with a digest that does not match the bytes: 400 DIGEST_INVALID and no blob', async (client) => {
    const repo = client.repo('post-mismatch');
    const bytes = bytesOf(256, 12);
    const claimed = digestOf('other bytes');
    const res = await client.request('POST', `/v2/${repo}/blobs/uploads/?digest=${claimed}`, { headers: OCTETS, body: bytes });
    if (res.status === 202) return; // single POST unsupported: the claim is only checked at the PUT
    await expectError(res, { 400: ['DIGEST_INVALID'] });
    await expectError(await client.request('HEAD', `/v2/${repo}/blobs/${claimed}`), { 404: [] });
    await expectError(await client.request('HEAD', `/v2/${repo}/blobs/${digestOf(bytes)}`), { 404: [] });
  });

  check('manifest PUT by a digest that does not match its bytes: 400 DIGEST_INVALID and nothing stored', async (client) => {
    const repo = client.repo('manifest-mismatch');
    const bytes = await imageBytes(client, repo);
    const claimed = digestOf(`${bytes} `);
    await expectError(await client.putManifest(repo, claimed, bytes, Types.ociManifest), { 400: ['DIGEST_INVALID'] });
    await expectNoManifest(client, repo, claimed, digestOf(bytes));
  });
}
