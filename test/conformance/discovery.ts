// Conformance checks of content discovery: tag listing with n/last/Link, the _catalog extension, and
// the referrers API (descriptors, artifactType filtering, empty and invalid subjects, paging).
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#content-discovery
import { expect } from 'vitest';
import { descriptorOf, digestOf, pushImage } from '../support/oci-client.js';
import { expectError, expectStatus, nextLink, Types, type OciClient } from './client.js';
import type { SuiteContext } from './suite.js';

const TAGS = ['alpha', 'beta', 'delta', 'gamma', 'omega'];
const SBOM = 'application/vnd.example.sbom.v1';
const SIGNATURE = 'application/vnd.example.signature.v1';
const CUSTOM_CONFIG = 'application/vnd.example.config.v1+json';

interface Index {
  schemaVersion: number;
  mediaType: string;
  manifests: Array<{ mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }>;
}

async function tagged(client: OciClient) {
  const repo = client.repo('tags');
  const image = await pushImage(client.base, repo, TAGS[0]!);
  for (const tag of TAGS.slice(1)) await expectStatus(await client.putManifest(repo, tag, image.bytes, Types.ociManifest), 201);
  return repo;
}

async function tagsOf(client: OciClient, path: string): Promise<{ tags: string[]; link: string | undefined }> {
  const res = await client.request('GET', path);
  await expectStatus(res, 200);
  const body = (await res.json()) as { tags: string[] | null };
  return { tags: body.tags ?? [], link: nextLink(res) };
}

/** A subject with five referrers: two SBOMs, a signature, an image manifest and an index. */
async function referred(client: OciClient) {
  const repo = client.repo('referrers');
  const subject = await pushImage(client.base, repo, 'v1');
  const about = descriptorOf(subject.bytes, Types.ociManifest);
  const expected: Index['manifests'] = [];
  const artifact = async (artifactType: string, note: string) => {
    const annotations = { 'org.example.note': note };
    const { bytes, digest } = await client.pushArtifact(repo, { artifactType, subject: about, annotations });
    expected.push({ mediaType: Types.ociManifest, digest, size: Buffer.byteLength(bytes), artifactType, annotations });
  };
  await artifact(SBOM, 'sbom 1');
  await artifact(SBOM, 'sbom 2');
  await artifact(SIGNATURE, 'signature');

  const config = '{"kind":"custom config"}';
  await client.pushBlob(repo, config);
  const image = JSON.stringify({
    schemaVersion: 2,
    mediaType: Types.ociManifest,
    config: descriptorOf(config, CUSTOM_CONFIG),
    layers: [],
    subject: about,
    annotations: { 'org.example.note': 'image without artifactType' },
  });
  await expectStatus(await client.putManifest(repo, digestOf(image), image, Types.ociManifest), 201);
  expected.push({ mediaType: Types.ociManifest, digest: digestOf(image), size: image.length, artifactType: CUSTOM_CONFIG, annotations: { 'org.example.note': 'image without artifactType' } });

  const index = JSON.stringify({ schemaVersion: 2, mediaType: Types.ociIndex, manifests: [], subject: about, annotations: { 'org.example.note': 'index' } });
  await expectStatus(await client.putManifest(repo, digestOf(index), index, Types.ociIndex), 201);
  expected.push({ mediaType: Types.ociIndex, digest: digestOf(index), size: index.length, annotations: { 'org.example.note': 'index' } });
  return { repo, subject: subject.digest, expected };
}

async function referrersOf(client: OciClient, path: string): Promise<{ res: Response; index: Index }> {
  const res = await client.request('GET', path);
  await expectStatus(res, 200);
  expect(res.headers.get('content-type')).toBe(Types.ociIndex);
  const index = (await res.clone().json()) as Index;
  expect(index.schemaVersion).toBe(2);
  expect(index.mediaType).toBe(Types.ociIndex);
  return { res, index };
}

function byDigest(list: Index['manifests']): Index['manifests'] {
  return [...list].sort((a, b) => a.digest.localeCompare(b.digest));
}

/** Registers the content discovery checks. */
export function registerDiscovery({ check, target }: SuiteContext): void {
  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-tags
  check('tags list: 200 with the name and every tag in lexical order', async (client) => {
    const repo = await tagged(client);
    const res = await client.request('GET', `/v2/${repo}/tags/list`);
    await expectStatus(res, 200);
    expect(await res.json()).toEqual({ name: repo, tags: TAGS });
  });

  check('tags list ?n=2: the first two tags', async (client) => {
    const repo = await tagged(client);
    expect((await tagsOf(client, `/v2/${repo}/tags/list?n=2`)).tags).toEqual(TAGS.slice(0, 2));
  });

  check('tags list ?n=2: Link rel="next" (optional in the spec) leads through every tag in order', async (client) => {
    const repo = await tagged(client);
    const { bodies, links } = await client.pages<{ tags: string[] }>(`/v2/${repo}/tags/list?n=2`);
    expect(links).toBeGreaterThan(0);
    expect(bodies.flatMap((b) => b.tags ?? [])).toEqual(TAGS);
  });

  check('tags list ?last=beta: the tags after it', async (client) => {
    const repo = await tagged(client);
    expect((await tagsOf(client, `/v2/${repo}/tags/list?last=beta`)).tags).toEqual(TAGS.slice(2));
  });

  check('tags list ?n=2&last=beta: the two tags after it', async (client) => {
    const repo = await tagged(client);
    expect((await tagsOf(client, `/v2/${repo}/tags/list?n=2&last=beta`)).tags).toEqual(TAGS.slice(2, 4));
  });

  check('tags list ?n=0: an empty list and no Link', async (client) => {
    const repo = await tagged(client);
    expect(await tagsOf(client, `/v2/${repo}/tags/list?n=0`)).toEqual({ tags: [], link: undefined });
  });

  check('tags list of an unknown repository: 404 NAME_UNKNOWN', async (client) => {
    await expectError(await client.request('GET', `/v2/${client.repo('nothing')}/tags/list`), { 404: ['NAME_UNKNOWN'] });
  });

  // The `_catalog` endpoint is a Docker Registry API V2 extension, not part of the OCI spec.
  check('catalog ?n=&last=: the repositories after last, with Link rel="next" while more remain', async (client) => {
    const prefix = client.repo('catalog');
    for (const name of ['a', 'b', 'c']) await pushImage(client.base, `${prefix}/${name}`, 'v1');
    const all = await client.request('GET', `/v2/_catalog?n=3&last=${prefix}`);
    await expectStatus(all, 200);
    expect(((await all.json()) as { repositories: string[] }).repositories).toEqual(['a', 'b', 'c'].map((n) => `${prefix}/${n}`));
    const page = await client.request('GET', `/v2/_catalog?n=1&last=${prefix}/a`);
    await expectStatus(page, 200);
    expect(await page.json()).toEqual({ repositories: [`${prefix}/b`] });
    const next = nextLink(page);
    expect(next, 'a Link rel="next" header').toBeDefined();
    const second = await client.request('GET', next!);
    await expectStatus(second, 200);
    expect(((await second.json()) as { repositories: string[] }).repositories[0]).toBe(`${prefix}/c`);
  });

  // https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-referrers
  check('referrers: an image index of every referrer with its artifactType and annotations', async (client) => {
    const { repo, subject, expected } = await referred(client);
    const { index } = await referrersOf(client, `/v2/${repo}/referrers/${subject}`);
    expect(byDigest(index.manifests)).toEqual(byDigest(expected));
  });

  check('referrers ?artifactType=: exactly the matching referrers, with OCI-Filters-Applied: artifactType', async (client) => {
    const { repo, subject, expected } = await referred(client);
    const { res, index } = await referrersOf(client, `/v2/${repo}/referrers/${subject}?artifactType=${encodeURIComponent(SBOM)}`);
    expect(res.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(byDigest(index.manifests)).toEqual(byDigest(expected.filter((m) => m.artifactType === SBOM)));
  });

  check('referrers of a subject nothing refers to: 200 with an empty index', async (client) => {
    const repo = client.repo('no-referrers');
    const image = await pushImage(client.base, repo, 'v1');
    expect((await referrersOf(client, `/v2/${repo}/referrers/${image.digest}`)).index.manifests).toEqual([]);
    expect((await referrersOf(client, `/v2/${repo}/referrers/${digestOf('no such manifest')}`)).index.manifests).toEqual([]);
  });

  check('referrers list only manifests of the same repository', async (client) => {
    const { repo, subject, expected } = await referred(client);
    const other = client.repo('other-referrers');
    await client.pushArtifact(other, { artifactType: SBOM, subject: { mediaType: Types.ociManifest, digest: subject, size: 1 } });
    const { index } = await referrersOf(client, `/v2/${repo}/referrers/${subject}`);
    expect(index.manifests).toHaveLength(expected.length);
  });

  check('referrers with an invalid digest: 400', async (client) => {
    const repo = client.repo('bad-referrers');
    await pushImage(client.base, repo, 'v1');
    await expectError(await client.request('GET', `/v2/${repo}/referrers/sha256:totallywrong`), { 400: ['DIGEST_INVALID'] });
  });

  // "A Link header MUST be included in the response when the descriptor list cannot be returned in a single manifest."
  check('referrers beyond one page: Link rel="next" pages through all of them, none twice', async (client) => {
    const repo = client.repo('many-referrers');
    const subject = await pushImage(client.base, repo, 'v1');
    const about = descriptorOf(subject.bytes, Types.ociManifest);
    const count = (target.maxPageSize ?? 10) + 2;
    const digests: string[] = [];
    for (let i = 0; i < count; i++) digests.push((await client.pushArtifact(repo, { artifactType: SBOM, subject: about, annotations: { i: String(i) } })).digest);
    const { bodies, links } = await client.pages<Index>(`/v2/${repo}/referrers/${subject.digest}`);
    if (target.maxPageSize !== undefined) {
      expect(links).toBeGreaterThan(0);
      for (const body of bodies) expect(body.manifests.length).toBeLessThanOrEqual(target.maxPageSize);
    }
    expect(bodies.flatMap((b) => b.manifests.map((m) => m.digest)).sort()).toEqual(digests.sort());
  });
}
