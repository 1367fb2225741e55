import { describe, expect, it } from 'vitest';
import { readHfConfig } from './hf-config.js';
import { ANNOTATION_FILEPATH, modelLayerMediaType, MODELPACK } from './media-types.js';
import { buildModelConfig, buildModelManifest, formatParamSize, mergeFacts, type ModelConfigInput } from './model-config.js';
import { describeArtifact } from './read-artifact.js';

const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

// The parts of https://github.com/modelpack/model-spec/blob/main/schema/config-schema.json that Berth
// writes, with `additionalProperties: false` everywhere, checked by the small validator below.
type Schema = { type: 'object'; properties: Record<string, Schema>; required?: string[] } | { type: 'string'; minLength?: number; enum?: string[]; format?: 'date-time' } | { type: 'array'; items: Schema; minItems?: number };
const str: Schema = { type: 'string' };
const CONFIG_SCHEMA: Schema = {
  type: 'object',
  required: ['descriptor', 'config', 'modelfs'],
  properties: {
    descriptor: {
      type: 'object',
      properties: {
        createdAt: { type: 'string', format: 'date-time' }, authors: { type: 'array', items: str }, family: str, name: { type: 'string', minLength: 1 },
        docURL: str, sourceURL: str, datasetsURL: { type: 'array', items: str }, version: str, revision: str, vendor: str,
        licenses: { type: 'array', items: str }, title: str, description: str,
      },
    },
    config: { type: 'object', properties: { architecture: str, format: str, paramSize: str, precision: str, quantization: str } },
    modelfs: { type: 'object', required: ['type', 'diffIds'], properties: { type: { type: 'string', enum: ['layers'] }, diffIds: { type: 'array', items: str, minItems: 1 } } },
  },
};
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function violations(value: unknown, schema: Schema, at = '$'): string[] {
  if (schema.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at} is not an object`];
    const record = value as Record<string, unknown>;
    const out = (schema.required ?? []).filter((k) => !(k in record)).map((k) => `${at}.${k} is required`);
    for (const [k, v] of Object.entries(record)) {
      const sub = schema.properties[k];
      out.push(...(sub ? violations(v, sub, `${at}.${k}`) : [`${at}.${k} is not allowed`]));
    }
    return out;
  }
  if (schema.type === 'array') {
    if (!Array.isArray(value)) return [`${at} is not an array`];
    const out = value.length < (schema.minItems ?? 0) ? [`${at} has too few items`] : [];
    return out.concat(value.flatMap((v, i) => violations(v, schema.items, `${at}[${i}]`)));
  }
  if (typeof value !== 'string') return [`${at} is not a string`];
  if (value.length < (schema.minLength ?? 0)) return [`${at} is too short`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at} is not one of ${schema.enum.join(', ')}`];
  if (schema.format === 'date-time' && !RFC3339.test(value)) return [`${at} is not RFC 3339`];
  return [];
}

describe('formatParamSize', () => {
  it.each([
    [0, '0'], [999, '999'], [1000, '1K'], [1234, '1.2K'], [350_000, '350K'], [999_999, '999K'], [1_000_000, '1M'],
    [9_999_999, '9.9M'], [10_000_000, '10M'], [124_439_808, '124M'], [494_032_768, '494M'], [1_235_814_400, '1.2B'],
    [6_738_415_616, '6.7B'], [7_241_732_096, '7.2B'], [8_030_261_248, '8B'], [13_015_864_320, '13B'], [70_553_706_496, '70B'],
    [405_853_388_800, '405B'], [1_100_000_000_000, '1.1T'], [1_999_999_999_999, '1.9T'], [12_000_000_000_000, '12T'],
  ])('%d is %s', (count, size) => {
    expect(formatParamSize(count)).toBe(size);
  });

  it('refuses counts that are not non-negative integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) expect(() => formatParamSize(bad)).toThrow(/non-negative integer/);
  });
});

describe('mergeFacts', () => {
  const hf = readHfConfig({ architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16', max_position_embeddings: 4096 });
  const shard1 = { format: 'safetensors', parameters: 784, precision: 'bfloat16,float32' };
  const shard2 = { format: 'safetensors', parameters: 528, precision: 'bfloat16,float32' };
  const gguf = { format: 'gguf', architecture: 'llama', parameters: 784, quantization: 'Q4_K_M', contextLength: 8192 };

  it('sums shards of the main format, prefers config.json architecture, keeps a GGUF quantization', () => {
    const expected = { format: 'safetensors', parameters: 1312, precision: 'bfloat16,float32', quantization: 'Q4_K_M', architecture: 'LlamaForCausalLM', modelType: 'llama', contextLength: 4096 };
    expect(mergeFacts(hf, shard1, shard2, gguf)).toEqual(expected);
    expect(mergeFacts(gguf, shard2, shard1, hf)).toEqual(expected);
  });

  it('unions the precisions of shards and falls back to torch_dtype', () => {
    expect(mergeFacts({ format: 'safetensors', precision: 'float32' }, { format: 'safetensors', precision: 'bfloat16' }).precision).toBe('bfloat16,float32');
    expect(mergeFacts(hf, { format: 'safetensors', parameters: 5 }).precision).toBe('bfloat16');
    expect(mergeFacts({ torchDtype: 'torch.float16' }).precision).toBe('float16');
    expect(mergeFacts({ torchDtype: 'half' }).precision).toBe('float16');
    expect(mergeFacts({ torchDtype: 'auto' }).precision).toBeUndefined();
    expect(mergeFacts({ precision: 'bfloat16' }, { format: 'safetensors', precision: 'float32' }).precision).toBe('float32');
  });

  it('uses a GGUF alone as it is', () => {
    expect(mergeFacts(gguf)).toEqual({ format: 'gguf', architecture: 'llama', parameters: 784, quantization: 'Q4_K_M', contextLength: 8192 });
  });

  it('picks the format most weight files have, ties going to the first seen', () => {
    expect(mergeFacts(gguf, { format: 'gguf' }, shard1).format).toBe('gguf');
    expect(mergeFacts(gguf, shard1).format).toBe('gguf');
    expect(mergeFacts(shard1, gguf).format).toBe('safetensors');
  });

  it('returns nothing from nothing', () => {
    expect(mergeFacts()).toEqual({});
    expect(mergeFacts({}, {})).toEqual({});
  });
});

describe('buildModelConfig', () => {
  const input: ModelConfigInput = {
    name: 'tiny-llama',
    version: 'v1',
    createdAt: new Date('2025-07-21T10:00:00Z'),
    layers: [
      { digest: d(1), kind: 'weight.config', path: 'config.json' },
      { digest: d(2), kind: 'weight', path: 'model-00001-of-00002.safetensors' },
      { digest: d(3), kind: 'weight', path: 'model-00002-of-00002.safetensors' },
      { digest: d(4), kind: 'weight', path: 'tiny.gguf' },
      { digest: d(5), kind: 'doc', path: 'README.md' },
    ],
    facts: { architecture: 'LlamaForCausalLM', modelType: 'llama', format: 'safetensors', parameters: 8_030_261_248, precision: 'bfloat16', quantization: 'Q4_K_M', contextLength: 4096 },
  };

  it('writes a config that the ModelPack schema accepts, with diffIds in layer order', () => {
    const config = buildModelConfig(input);
    expect(violations(config, CONFIG_SCHEMA)).toEqual([]);
    expect(config).toEqual({
      descriptor: { name: 'tiny-llama', version: 'v1', createdAt: '2025-07-21T10:00:00.000Z', family: 'llama' },
      config: { architecture: 'LlamaForCausalLM', format: 'safetensors', paramSize: '8B', precision: 'bfloat16', quantization: 'Q4_K_M' },
      modelfs: { type: 'layers', diffIds: [d(1), d(2), d(3), d(4), d(5)] },
    });
    expect(JSON.stringify(config)).not.toContain('contextLength');
  });

  it('takes the format from the weight layers when the facts have none, and leaves out what is unknown', () => {
    const config = buildModelConfig({ ...input, version: undefined, facts: {} });
    expect(violations(config, CONFIG_SCHEMA)).toEqual([]);
    expect(config.config).toEqual({ format: 'safetensors' });
    expect(config.descriptor).toEqual({ name: 'tiny-llama', createdAt: '2025-07-21T10:00:00.000Z' });
    expect(buildModelConfig({ ...input, layers: [{ digest: d(9), kind: 'doc', path: 'README.md' }], facts: {} }).config).toEqual({});
  });

  it('refuses what the schema would refuse', () => {
    expect(() => buildModelConfig({ ...input, name: ' ' })).toThrow(/non-empty model name/);
    expect(() => buildModelConfig({ ...input, layers: [] })).toThrow(/at least one layer/);
    expect(() => buildModelConfig({ ...input, createdAt: new Date('nope') })).toThrow(/valid createdAt/);
  });
});

describe('buildModelManifest', () => {
  const layers = [
    { digest: d(1), size: 10, mediaType: modelLayerMediaType('weight.config'), path: 'config.json' },
    { digest: d(2), size: 20, mediaType: modelLayerMediaType('weight'), path: 'original/consolidated.00.pth' },
  ];

  it('writes an OCI manifest with the ModelPack artifactType, config type and filepath annotations', () => {
    const manifest = buildModelManifest({ digest: d(9), size: 99 }, layers, { 'org.opencontainers.image.created': '2025-07-21T10:00:00Z' });
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: MODELPACK.artifactType,
      config: { mediaType: MODELPACK.config, digest: d(9), size: 99 },
      layers: [
        { mediaType: 'application/vnd.cncf.model.weight.config.v1.raw', digest: d(1), size: 10, annotations: { [ANNOTATION_FILEPATH]: 'config.json' } },
        { mediaType: 'application/vnd.cncf.model.weight.v1.raw', digest: d(2), size: 20, annotations: { [ANNOTATION_FILEPATH]: 'original/consolidated.00.pth' } },
      ],
      annotations: { 'org.opencontainers.image.created': '2025-07-21T10:00:00Z' },
    });
    expect(buildModelManifest({ digest: d(9), size: 99 }, layers)).not.toHaveProperty('annotations');
  });

  it('round-trips through describeArtifact', () => {
    const manifest = JSON.parse(JSON.stringify(buildModelManifest({ digest: d(9), size: 99 }, layers))) as unknown;
    expect(describeArtifact(manifest, undefined)).toEqual({
      format: 'modelpack',
      files: [
        { digest: d(1), size: 10, mediaType: layers[0]!.mediaType, packaging: 'raw', kind: 'weight.config', path: 'config.json', declaredPath: 'config.json' },
        { digest: d(2), size: 20, mediaType: layers[1]!.mediaType, packaging: 'raw', kind: 'weight', path: 'original/consolidated.00.pth', declaredPath: 'original/consolidated.00.pth' },
      ],
    });
  });

  it('refuses unsafe paths and an empty model', () => {
    expect(() => buildModelManifest({ digest: d(9), size: 1 }, [{ ...layers[0]!, path: '../etc/passwd' }])).toThrow(/unsafe path "..\/etc\/passwd"/);
    expect(() => buildModelManifest({ digest: d(9), size: 1 }, [{ ...layers[0]!, path: '/abs' }])).toThrow(/absolute/);
    expect(() => buildModelManifest({ digest: d(9), size: 1 }, [])).toThrow(/at least one layer/);
  });
});
