import { describe, expect, it } from 'vitest';
import { ANNOTATION_FILEPATH, ANNOTATION_FILEPATH_CNAI, KITOPS, kitopsLayerMediaType, MODELPACK, MODELPACK_CNAI, modelLayerMediaType, ORMB } from './media-types.js';
import { describeArtifact, resolveTarEntry, safeRelativePath, type ArtifactFile } from './read-artifact.js';

const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function modelPack(layers: Array<{ mediaType: string; path?: string; annotation?: string }>, top: Record<string, unknown> = { artifactType: MODELPACK.artifactType }) {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: MODELPACK.config, digest: d(999), size: 100 },
    layers: layers.map((l, i) => ({
      mediaType: l.mediaType,
      digest: d(i + 1),
      size: 10 * (i + 1),
      ...(l.path === undefined ? {} : { annotations: { [l.annotation ?? ANNOTATION_FILEPATH]: l.path } }),
    })),
    ...top,
  };
}

describe('safeRelativePath', () => {
  it('returns safe relative paths unchanged', () => {
    for (const p of ['a', 'config.json', 'original/params.json', 'weird name/ü ñ.bin', '..hidden', 'a/...b', '.gitattributes', 'notes:v2.txt']) expect(safeRelativePath(p)).toBe(p);
  });

  it.each([
    ['', /it is empty/],
    ['/etc/passwd', /it is absolute/],
    ['../x', /"\.\." segment that would leave the model folder/],
    ['a/../../x', /"\.\." segment/],
    ['a/..', /"\.\." segment/],
    ['a\\..\\b', /backslash/],
    ['a\0b', /NUL byte/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['./a', /"\." segment/],
    ['C:/Windows', /drive letter/],
    ['x'.repeat(4097), /longer than 4096/],
  ])('rejects %j', (p, message) => {
    expect(() => safeRelativePath(p)).toThrow(message);
    expect(() => safeRelativePath(p)).toThrow(/^unsafe path /);
  });
});

describe('describeArtifact: ModelPack', () => {
  it('describes raw layers of a CNCF ModelPack with their kinds and paths', () => {
    const manifest = modelPack([
      { mediaType: modelLayerMediaType('weight'), path: 'model.safetensors' },
      { mediaType: modelLayerMediaType('weight.config'), path: 'config.json' },
      { mediaType: modelLayerMediaType('doc'), path: 'README.md' },
      { mediaType: modelLayerMediaType('code'), path: 'scripts/convert.py' },
      { mediaType: modelLayerMediaType('dataset'), path: 'data/sample.jsonl' },
    ]);
    const config = { descriptor: { name: 'x' } };
    const description = describeArtifact(manifest, config);
    expect(description.format).toBe('modelpack');
    expect(description.config).toBe(config);
    expect(description.files.map((f) => [f.kind, f.packaging, f.path])).toEqual([
      ['weight', 'raw', 'model.safetensors'], ['weight.config', 'raw', 'config.json'], ['doc', 'raw', 'README.md'],
      ['code', 'raw', 'scripts/convert.py'], ['dataset', 'raw', 'data/sample.jsonl'],
    ]);
    expect(description.files[0]).toMatchObject({ digest: d(1), size: 10, mediaType: 'application/vnd.cncf.model.weight.v1.raw' });
    expect(describeArtifact(manifest, undefined)).not.toHaveProperty('config');
  });

  it('recognises the older CNAI names, by artifactType or by config type alone', () => {
    const layers = [{ mediaType: 'application/vnd.cnai.model.weight.v1.raw', path: 'w.gguf', annotation: ANNOTATION_FILEPATH_CNAI }];
    const byArtifactType = modelPack(layers, { artifactType: MODELPACK_CNAI.artifactType, config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: d(9), size: 2 } });
    expect(describeArtifact(byArtifactType, undefined)).toMatchObject({ format: 'modelpack-cnai', files: [{ path: 'w.gguf', kind: 'weight', packaging: 'raw' }] });
    const byConfig = { ...modelPack(layers, {}), config: { mediaType: MODELPACK_CNAI.config, digest: d(9), size: 2 } };
    expect(describeArtifact(byConfig, undefined).format).toBe('modelpack-cnai');
    const cncfByConfig = modelPack([{ mediaType: modelLayerMediaType('weight'), path: 'w.bin' }], {});
    expect(describeArtifact(cncfByConfig, undefined).format).toBe('modelpack');
    const layersOnly = { schemaVersion: 2, config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: d(9), size: 2 }, layers: byConfig.layers };
    expect(describeArtifact(layersOnly, undefined).format).toBe('modelpack-cnai');
  });

  it('describes tar layers as extracting at the root, keeping the annotated path', () => {
    const manifest = modelPack([
      { mediaType: modelLayerMediaType('weight', 'tar'), path: 'original/consolidated.00.pth' },
      { mediaType: modelLayerMediaType('code', 'tar+gzip') },
      { mediaType: modelLayerMediaType('doc', 'tar+zstd'), path: 'docs' },
    ]);
    const files = describeArtifact(manifest, undefined).files;
    expect(files.map((f) => [f.packaging, f.path, f.declaredPath])).toEqual([
      ['tar', '', 'original/consolidated.00.pth'], ['tar+gzip', '', undefined], ['tar+zstd', '', 'docs'],
    ]);
    const [weight, code, docs] = files as [ArtifactFile, ArtifactFile, ArtifactFile];
    expect(resolveTarEntry(weight, 'original/consolidated.00.pth')).toBe('original/consolidated.00.pth');
    expect(resolveTarEntry(weight, 'consolidated.00.pth')).toBe('original/consolidated.00.pth');
    expect(resolveTarEntry(code, './scripts/run.py')).toBe('scripts/run.py');
    expect(resolveTarEntry(code, './')).toBeUndefined();
    expect(resolveTarEntry(docs, 'docs/')).toBe('docs');
    expect(resolveTarEntry(docs, 'docs/a/b.md')).toBe('docs/a/b.md');
    expect(() => resolveTarEntry(code, '../../etc/passwd')).toThrow(/"\.\." segment/);
    expect(() => resolveTarEntry(code, '/etc/passwd')).toThrow(/empty segment|absolute/);
  });

  it('refuses path traversal in annotations', () => {
    for (const path of ['../../.bashrc', '/etc/cron.d/x', 'a/../../b', 'C:\\x', '']) {
      expect(() => describeArtifact(modelPack([{ mediaType: modelLayerMediaType('weight'), path }]), undefined)).toThrow(/^unsafe path/);
    }
    expect(() => describeArtifact(modelPack([{ mediaType: modelLayerMediaType('weight', 'tar'), path: '../up' }]), undefined)).toThrow(/^unsafe path "..\/up"/);
  });

  it('refuses a raw layer without a path and a layer type it cannot place', () => {
    expect(() => describeArtifact(modelPack([{ mediaType: modelLayerMediaType('weight') }]), undefined)).toThrow(/layer 0 \(sha256:0+1\) is a raw ModelPack layer without an org.cncf.model.filepath annotation/);
    expect(() => describeArtifact(modelPack([{ mediaType: 'application/octet-stream', path: 'x' }]), undefined)).toThrow(/layer 0 .* has media type application\/octet-stream, which is not a ModelPack layer type/);
  });
});

describe('describeArtifact: ORMB', () => {
  const manifest = {
    schemaVersion: 2,
    config: { mediaType: ORMB.config, digest: d(9), size: 200 },
    layers: [{ mediaType: ORMB.layer, digest: d(1), size: 5000 }],
  };

  it('describes the single gzip tar, whose model/ folder is stripped', () => {
    const config = { format: 'SavedModel', author: 'a' };
    const description = describeArtifact(manifest, config);
    expect(description).toEqual({
      format: 'ormb',
      config,
      files: [{ digest: d(1), size: 5000, mediaType: 'application/tar+gzip', packaging: 'tar+gzip', path: '', tarRoot: 'model' }],
    });
    const file = description.files[0]!;
    expect(resolveTarEntry(file, 'model/')).toBeUndefined();
    expect(resolveTarEntry(file, 'model')).toBeUndefined();
    expect(resolveTarEntry(file, 'model/saved_model.pb')).toBe('saved_model.pb');
    expect(resolveTarEntry(file, './model/variables/variables.index')).toBe('variables/variables.index');
    expect(resolveTarEntry(file, 'ormbfile.yaml')).toBeUndefined();
    expect(() => resolveTarEntry(file, 'model/../../x')).toThrow(/"\.\." segment/);
  });

  it('refuses other layers', () => {
    expect(() => describeArtifact({ ...manifest, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d(1), size: 1 }] }, undefined)).toThrow(/an ORMB model has one application\/tar\+gzip layer/);
  });
});

describe('describeArtifact: KitOps', () => {
  const layers = [
    { mediaType: kitopsLayerMediaType('model', 'tar+gzip'), digest: d(1), size: 100 },
    { mediaType: kitopsLayerMediaType('modelpart'), digest: d(2), size: 20 },
    { mediaType: kitopsLayerMediaType('code'), digest: d(3), size: 30 },
    { mediaType: kitopsLayerMediaType('dataset'), digest: d(4), size: 40 },
    { mediaType: kitopsLayerMediaType('docs'), digest: d(5), size: 50 },
    { mediaType: kitopsLayerMediaType('docs'), digest: d(6), size: 60 },
  ];
  const manifest = { schemaVersion: 2, config: { mediaType: KITOPS.config, digest: d(9), size: 300 }, layers, annotations: { 'ml.kitops.modelkit.cli-version': '1.7.0' } };

  it('places current ModelKits by the digests in the Kitfile, extracting at the root', () => {
    const kitfile = {
      manifestVersion: '1.0.0',
      package: { name: 'tiny' },
      model: { name: 'tiny', path: 'models/tiny.gguf', digest: d(1), diffId: d(11), parts: [{ path: 'models/lora', digest: d(2) }] },
      code: [{ path: '.', digest: d(3) }],
      datasets: [{ name: 'eval', path: './data/eval.csv', digest: d(4) }],
      docs: [{ path: 'LICENSE', digest: d(6) }, { path: 'README.md', digest: d(5) }],
    };
    const description = describeArtifact(manifest, kitfile);
    expect(description.format).toBe('kitops');
    expect(description.files.map((f) => [f.kind, f.packaging, f.path, f.declaredPath])).toEqual([
      ['weight', 'tar+gzip', '', 'models/tiny.gguf'],
      ['weight', 'tar', '', 'models/lora'],
      ['code', 'tar', '', undefined],
      ['dataset', 'tar', '', 'data/eval.csv'],
      ['doc', 'tar', '', 'README.md'],
      ['doc', 'tar', '', 'LICENSE'],
    ]);
    expect(resolveTarEntry(description.files[0]!, 'models/tiny.gguf')).toBe('models/tiny.gguf');
  });

  it('places older ModelKits (no digests) by position, into the folder of each path', () => {
    const kitfile = {
      manifestVersion: '1.0.0',
      model: { path: 'models/tiny.gguf', parts: [{ path: 'lora' }] },
      code: [{ path: 'src' }],
      datasets: [{ path: 'data/eval/eval.csv' }],
      docs: [{ path: 'README.md' }, { path: 'docs/guide.md' }],
    };
    const files = describeArtifact(manifest, kitfile).files;
    expect(files.map((f) => f.path)).toEqual(['models', '', '', 'data/eval', '', 'docs']);
    expect(resolveTarEntry(files[0]!, 'tiny.gguf')).toBe('models/tiny.gguf');
    expect(resolveTarEntry(files[3]!, 'eval.csv')).toBe('data/eval/eval.csv');
  });

  it('needs the Kitfile, an entry per layer and safe paths', () => {
    expect(() => describeArtifact(manifest, undefined)).toThrow(/needs its config \(the Kitfile\)/);
    expect(() => describeArtifact(manifest, { model: { path: 'm' } })).toThrow(/layer 1 .* is a KitOps modelpart layer with no matching entry in the Kitfile/);
    const evil = { model: { path: '../../.ssh/authorized_keys', digest: d(1) } };
    expect(() => describeArtifact({ ...manifest, layers: layers.slice(0, 1) }, evil)).toThrow(/^unsafe path/);
    expect(() => describeArtifact({ ...manifest, layers: [{ mediaType: 'application/vnd.kitops.modelkit.mcpb.v1.tar', digest: d(1), size: 1 }] }, {})).toThrow(/not a KitOps layer type/);
  });
});

describe('describeArtifact: container images and others', () => {
  it('says a KServe modelcar / OCI image is an image', () => {
    const image = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(9), size: 1000 },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(1), size: 2_000_000 },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d(2), size: 3000 },
      ],
    };
    expect(describeArtifact(image, { architecture: 'amd64', os: 'linux' })).toEqual({
      format: 'image',
      files: [
        { digest: d(1), size: 2_000_000, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', packaging: 'tar+gzip' },
        { digest: d(2), size: 3000, mediaType: 'application/vnd.oci.image.layer.v1.tar', packaging: 'tar' },
      ],
    });
  });

  it('says a Docker image, or gzip layers without model annotations, is an image', () => {
    const docker = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: d(9), size: 1000 },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d(1), size: 10 }],
    };
    expect(describeArtifact(docker, undefined)).toMatchObject({ format: 'image', files: [{ packaging: 'tar+gzip' }] });
    const bare = { ...docker, config: { mediaType: 'application/vnd.example.config+json', digest: d(9), size: 2 } };
    expect(describeArtifact(bare, undefined).format).toBe('image');
  });

  it('calls anything else unknown', () => {
    const other = { schemaVersion: 2, config: { mediaType: 'application/vnd.example.config+json', digest: d(9), size: 2 }, layers: [{ mediaType: 'application/octet-stream', digest: d(1), size: 3 }] };
    expect(describeArtifact(other, undefined)).toEqual({ format: 'unknown', files: [{ digest: d(1), size: 3, mediaType: 'application/octet-stream', packaging: 'raw' }] });
  });

  it('refuses an index and malformed manifests with a clear message', () => {
    expect(() => describeArtifact({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }, undefined)).toThrow(/image index .* pull one of its manifests by digest/);
    expect(() => describeArtifact('{}', undefined)).toThrow(/not a JSON object/);
    expect(() => describeArtifact({ schemaVersion: 1, fsLayers: [] }, undefined)).toThrow(/no "layers" array/);
    expect(() => describeArtifact({ layers: [{ mediaType: 'x', digest: 'sha256:../../x', size: 1 }] }, undefined)).toThrow(/layer 0 has no valid digest/);
    expect(() => describeArtifact({ layers: [{ mediaType: 'x', digest: d(1), size: -1 }] }, undefined)).toThrow(/has no valid size/);
    expect(() => describeArtifact({ layers: [{ digest: d(1), size: 1 }] }, undefined)).toThrow(/has no media type/);
    expect(() => describeArtifact({ layers: [null] }, undefined)).toThrow(/layer 0 is not a descriptor object/);
  });
});
