import { describe, expect, it } from 'vitest';
import {
  ANNOTATION_FILE_METADATA, ANNOTATION_FILEPATH, ANNOTATION_FILEPATH_CNAI, KITOPS, kitopsLayerMediaType, MODELPACK, MODELPACK_CNAI,
  modelLayerMediaType, ORMB, parseKitopsLayerMediaType, parseModelLayerMediaType, type LayerKind, type LayerPackaging,
} from './media-types.js';

const KINDS: LayerKind[] = ['weight', 'weight.config', 'doc', 'code', 'dataset'];
const PACKAGINGS: LayerPackaging[] = ['raw', 'tar', 'tar+gzip', 'tar+zstd'];

describe('ModelPack media types', () => {
  it('spells the names exactly as model-spec v0.0.7+ and the older CNAI names', () => {
    expect(MODELPACK).toEqual({ artifactType: 'application/vnd.cncf.model.manifest.v1+json', config: 'application/vnd.cncf.model.config.v1+json' });
    expect(MODELPACK_CNAI).toEqual({ artifactType: 'application/vnd.cnai.model.manifest.v1+json', config: 'application/vnd.cnai.model.config.v1+json' });
    expect(ANNOTATION_FILEPATH).toBe('org.cncf.model.filepath');
    expect(ANNOTATION_FILEPATH_CNAI).toBe('org.cnai.model.filepath');
    expect(ANNOTATION_FILE_METADATA).toBe('org.cncf.model.file.metadata+json');
  });

  it('builds layer media types, raw by default', () => {
    expect(modelLayerMediaType('weight')).toBe('application/vnd.cncf.model.weight.v1.raw');
    expect(modelLayerMediaType('weight.config', 'tar+gzip')).toBe('application/vnd.cncf.model.weight.config.v1.tar+gzip');
    expect(modelLayerMediaType('doc', 'tar')).toBe('application/vnd.cncf.model.doc.v1.tar');
  });

  it('parses every kind and packaging of both families back', () => {
    for (const kind of KINDS) {
      for (const packaging of PACKAGINGS) {
        expect(parseModelLayerMediaType(modelLayerMediaType(kind, packaging))).toEqual({ family: 'cncf', kind, packaging });
        expect(parseModelLayerMediaType(`application/vnd.cnai.model.${kind}.v1.${packaging}`)).toEqual({ family: 'cnai', kind, packaging });
      }
    }
  });

  it('returns null for anything that is not a ModelPack layer type', () => {
    for (const mt of [
      'application/vnd.cncf.model.weight.v1.zip', 'application/vnd.cncf.model.weights.v1.raw', 'application/vnd.cncf.model.weight.v2.raw',
      'application/vnd.cncf.model.config.v1+json', 'application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.kitops.modelkit.model.v1.tar',
      'application/vnd.cncf.model.weight.v1.raw+gzip', 'APPLICATION/VND.CNCF.MODEL.WEIGHT.V1.RAW', '',
    ]) expect(parseModelLayerMediaType(mt)).toBeNull();
  });
});

describe('ORMB and KitOps media types', () => {
  it('spells the ORMB and KitOps config types', () => {
    expect(ORMB).toEqual({ config: 'application/vnd.caicloud.model.config.v1alpha1+json', layer: 'application/tar+gzip' });
    expect(KITOPS.config).toBe('application/vnd.kitops.modelkit.config.v1+json');
  });

  it('builds and parses KitOps layer types', () => {
    expect(kitopsLayerMediaType('model')).toBe('application/vnd.kitops.modelkit.model.v1.tar');
    expect(kitopsLayerMediaType('docs', 'tar+gzip')).toBe('application/vnd.kitops.modelkit.docs.v1.tar+gzip');
    for (const type of ['model', 'modelpart', 'code', 'dataset', 'docs'] as const) {
      expect(parseKitopsLayerMediaType(kitopsLayerMediaType(type, 'tar+gzip'))).toEqual({ type, packaging: 'tar+gzip' });
    }
    expect(parseKitopsLayerMediaType('application/vnd.kitops.modelkit.model.v1.raw')).toEqual({ type: 'model', packaging: 'raw' });
    expect(parseKitopsLayerMediaType('application/vnd.kitops.modelkit.mcpb.v1.tar')).toBeNull();
    expect(parseKitopsLayerMediaType('application/vnd.kitops.modelkit.config.v1+json')).toBeNull();
    expect(parseKitopsLayerMediaType('application/vnd.cncf.model.weight.v1.tar')).toBeNull();
  });
});
