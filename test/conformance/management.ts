// Conformance checks of content management: deleting tags, manifests and blobs, and what the
// registry shows afterwards (tags list, referrers, 404s).
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#content-management
import { expect } from 'vitest';
import { descriptorOf, digestOf, pushImage } from '../support/oci-client.js';
import { expectError, expectStatus, Types } from './client.js';
import type { SuiteContext } from './suite.js';

/** Registers the content management checks. */
export function registerManagement({ check }: SuiteContext): void {
  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#deleting-tags
  check('DELETE manifest by tag: 202; the tag is gone and the manifest stays by digest', async (client) => {
    const repo = client.repo('delete-tag');
    const image = await pushImage(client.base, repo, 'doomed');
    await expectStatus(await client.putManifest(repo, 'kept', image.bytes, Types.ociManifest), 201);
    await expectStatus(await client.request('DELETE', `/v2/${repo}/manifests/doomed`), 202);
    await expectError(await client.request('GET', `/v2/${repo}/manifests/doomed`), { 404: ['MANIFEST_UNKNOWN'] });
    await expectStatus(await client.request('GET', `/v2/${repo}/manifests/${image.digest}`), 200);
    await expectStatus(await client.request('GET', `/v2/${repo}/manifests/kept`), 200);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#deleting-manifests
  check('DELETE manifest by digest: 202; the digest and every tag on it are 404', async (client) => {
    const repo = client.repo('delete-manifest');
    const image = await pushImage(client.base, repo, 'one');
    await expectStatus(await client.putManifest(repo, 'two', image.bytes, Types.ociManifest), 201);
    await expectStatus(await client.request('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    for (const ref of [image.digest, 'one', 'two']) {
      await expectError(await client.request('GET', `/v2/${repo}/manifests/${ref}`), { 404: ['MANIFEST_UNKNOWN'] });
      await expectError(await client.request('HEAD', `/v2/${repo}/manifests/${ref}`), { 404: [] });
    }
  });

  check('DELETE manifest by digest: the tags list no longer shows its tags', async (client) => {
    const repo = client.repo('delete-tags-list');
    const gone = await pushImage(client.base, repo, 'gone', ['gone layer']);
    await pushImage(client.base, repo, 'stays', ['staying layer']);
    await expectStatus(await client.request('DELETE', `/v2/${repo}/manifests/${gone.digest}`), 202);
    const res = await client.request('GET', `/v2/${repo}/tags/list`);
    await expectStatus(res, 200);
    expect(((await res.json()) as { tags: string[] }).tags).toEqual(['stays']);
  });

  check('DELETE of a referrer: it leaves the referrers list', async (client) => {
    const repo = client.repo('delete-referrer');
    const subject = await pushImage(client.base, repo, 'v1');
    const about = descriptorOf(subject.bytes, Types.ociManifest);
    const kept = await client.pushArtifact(repo, { artifactType: 'application/vnd.example.a', subject: about });
    const gone = await client.pushArtifact(repo, { artifactType: 'application/vnd.example.b', subject: about });
    await expectStatus(await client.request('DELETE', `/v2/${repo}/manifests/${gone.digest}`), 202);
    const res = await client.request('GET', `/v2/${repo}/referrers/${subject.digest}`);
    await expectStatus(res, 200);
    expect(((await res.json()) as { manifests: Array<{ digest: string }> }).manifests.map((m) => m.digest)).toEqual([kept.digest]);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#deleting-blobs
  check('DELETE blob: 202, then HEAD and GET answer 404', async (client) => {
    const repo = client.repo('delete-blob');
    const digest = await client.pushBlob(repo, 'a blob to delete');
    await expectStatus(await client.request('DELETE', `/v2/${repo}/blobs/${digest}`), 202);
    await expectError(await client.request('HEAD', `/v2/${repo}/blobs/${digest}`), { 404: [] });
    await expectError(await client.request('GET', `/v2/${repo}/blobs/${digest}`), { 404: ['BLOB_UNKNOWN'] });
  });

  check('DELETE of an unknown manifest: 404 MANIFEST_UNKNOWN', async (client) => {
    const repo = client.repo('delete-unknown');
    await pushImage(client.base, repo, 'v1');
    await expectError(await client.request('DELETE', `/v2/${repo}/manifests/${digestOf('never pushed')}`), { 404: ['MANIFEST_UNKNOWN'] });
  });

  check('DELETE of an unknown blob: 404 BLOB_UNKNOWN', async (client) => {
    const repo = client.repo('delete-unknown-blob');
    await client.pushBlob(repo, 'present');
    await expectError(await client.request('DELETE', `/v2/${repo}/blobs/${digestOf('absent')}`), { 404: ['BLOB_UNKNOWN'] });
  });

  check('DELETE manifest in a repository that does not exist: 404', async (client) => {
    const res = await client.request('DELETE', `/v2/${client.repo('no-repo')}/manifests/${digestOf('nothing')}`);
    await expectError(res, { 404: ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'] });
  });
}
