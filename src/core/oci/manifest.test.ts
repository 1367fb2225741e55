import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../errors.js';
import { parseManifest } from './manifest.js';
import { EMPTY_JSON_DESCRIPTOR, MediaTypes } from './media-types.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const bytes = (o: unknown) => Buffer.from(JSON.stringify(o));

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isRegistryError(err) ? `${err.code}: ${err.message}` : 'other';
  }
  return 'accepted';
}

describe('parseManifest', () => {
  it('reads an OCI image manifest: config and layers are references, foreign layers are not', () => {
    const m = parseManifest(
      bytes({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D('a'), size: 1 },
        layers: [
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: D('b'), size: 2 },
          { mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar', digest: D('c'), size: 3, urls: ['https://x'] },
        ],
      }),
      MediaTypes.ociManifest,
    );
    expect(m.kind).toBe('image');
    expect(m.references).toEqual([
      { digest: D('a'), kind: 'blob' },
      { digest: D('b'), kind: 'blob' },
    ]);
    expect(m.artifactType).toBe('application/vnd.oci.image.config.v1+json');
  });

  it('reads an artifact with artifactType, the empty config, a subject and annotations', () => {
    const m = parseManifest(
      bytes({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        artifactType: 'application/vnd.example.sbom',
        config: { mediaType: MediaTypes.ociEmpty, ...EMPTY_JSON_DESCRIPTOR },
        layers: [],
        subject: { mediaType: MediaTypes.ociManifest, digest: D('d'), size: 10 },
        annotations: { 'org.example': 'yes' },
      }),
      undefined,
    );
    expect(m).toMatchObject({ artifactType: 'application/vnd.example.sbom', subject: D('d'), annotations: { 'org.example': 'yes' } });
  });

  it('reads indexes and Docker manifest lists; children are manifest references', () => {
    const child = { mediaType: MediaTypes.dockerManifest, digest: D('e'), size: 5, platform: { os: 'linux', architecture: 'amd64' } };
    const list = parseManifest(bytes({ schemaVersion: 2, mediaType: MediaTypes.dockerManifestList, manifests: [child] }), MediaTypes.dockerManifestList);
    expect(list).toMatchObject({ kind: 'index', references: [{ digest: D('e'), kind: 'manifest' }] });
  });

  it('takes the kind from Content-Type when the document has no mediaType (KitOps)', () => {
    const doc = { schemaVersion: 2, config: { mediaType: 'application/vnd.kitops.modelkit.config.v1+json', digest: D('f'), size: 1 }, layers: [] };
    expect(parseManifest(bytes(doc), 'application/vnd.oci.image.manifest.v1+json; charset=utf-8').mediaType).toBe(MediaTypes.ociManifest);
  });

  it('rejects what is not a valid manifest with MANIFEST_INVALID', () => {
    const config = { mediaType: 'x', digest: D('a'), size: 1 };
    expect(reason(() => parseManifest(Buffer.from('{not json'), undefined))).toMatch(/^MANIFEST_INVALID: manifest is not valid JSON/);
    expect(reason(() => parseManifest(bytes([1]), undefined))).toMatch(/^MANIFEST_INVALID/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 1, config }), undefined))).toMatch(/schema1/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 3, config }), undefined))).toMatch(/schemaVersion/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config }), MediaTypes.ociIndex))).toMatch(/does not match/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 2, mediaType: 'application/json', config }), undefined))).toMatch(/unsupported/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 2, layers: [] }), undefined))).toMatch(/no config/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 2, config: { ...config, digest: 'sha256:nope' } }), undefined))).toMatch(/not a valid digest/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 2, config: { ...config, size: -1 } }), undefined))).toMatch(/size/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 2, config, annotations: { a: 1 } }), undefined))).toMatch(/annotations/);
    expect(reason(() => parseManifest(bytes({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: 'x' }), undefined))).toMatch(/manifests array/);
  });
});
