// Builds what `berth push` uploads besides the files: the ModelPack config blob (what the model
// is) and the OCI manifest that ties config and layers together. Also merges the facts learnt
// from the model's files (config.json, safetensors and GGUF headers) into one view.
// https://github.com/modelpack/model-spec/blob/main/docs/config.md
// https://github.com/modelpack/model-spec/blob/main/schema/config-schema.json
// https://github.com/modelpack/model-spec/blob/main/docs/spec.md#image-manifest
import { MediaTypes } from '../oci/media-types.js';
import { weightFormat } from './classify.js';
import { ANNOTATION_FILEPATH, MODELPACK, type LayerKind } from './media-types.js';
import { safeRelativePath } from './read-artifact.js';

/** What Berth knows about a model, gathered from its files. */
export interface ModelFacts {
  /** Model class, e.g. `LlamaForCausalLM` (config.json) or `llama` (GGUF). */
  architecture?: string;
  /** config.json `model_type`, e.g. `llama`. */
  modelType?: string;
  /** Weight format: `safetensors`, `gguf`, `pytorch`, `onnx` ... */
  format?: string;
  parameters?: number;
  /** ModelPack precision names, comma-joined: `bfloat16,float32`. */
  precision?: string;
  /** e.g. `Q4_K_M`. */
  quantization?: string;
  /** Kept for callers; ModelPack's config has no field for it. */
  contextLength?: number;
}

/** The input of `buildModelConfig`. */
export interface ModelConfigInput {
  name: string;
  version?: string;
  createdAt: Date;
  /** Every layer of the manifest, in manifest order. */
  layers: Array<{ digest: string; kind: LayerKind; path: string }>;
  facts: ModelFacts;
}

/** A ModelPack config; only keys the schema allows (`additionalProperties: false` at every level). */
export interface ModelPackConfig {
  descriptor: { name: string; createdAt: string; version?: string; family?: string };
  config: { architecture?: string; format?: string; paramSize?: string; precision?: string; quantization?: string };
  modelfs: { type: 'layers'; diffIds: string[] };
}

/** An OCI image manifest carrying a ModelPack model. */
export interface ModelManifest {
  schemaVersion: 2;
  mediaType: string;
  artifactType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number; annotations: Record<string, string> }>;
  annotations?: Record<string, string>;
}

const UNITS: Array<[string, number]> = [['T', 1e12], ['B', 1e9], ['M', 1e6], ['K', 1e3]];

/**
 * ModelPack `paramSize` for a parameter count: the largest unit (K, M, B, T) the count reaches,
 * truncated (not rounded) to one decimal below 10 of that unit and to a whole number from 10 on,
 * without a trailing `.0`; counts under 1000 are written as they are. Truncation matches how
 * models are named: 8.03e9 is `8B`, 6.74e9 `6.7B`, 70.55e9 `70B`, 405.85e9 `405B`.
 */
export function formatParamSize(count: number): string {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`parameter count must be a non-negative integer, got ${count}`);
  const unit = UNITS.find(([, size]) => count >= size);
  if (!unit) return String(count);
  const [suffix, size] = unit;
  const tenths = (BigInt(count) * 10n) / BigInt(size);
  if (tenths >= 100n) return `${tenths / 10n}${suffix}`;
  const whole = tenths / 10n;
  const decimal = tenths % 10n;
  return decimal === 0n ? `${whole}${suffix}` : `${whole}.${decimal}${suffix}`;
}

/**
 * Merges facts from several files. Parts that name a `format` come from weight files; parts
 * that do not come from config files (e.g. `readHfConfig`'s result, whose `torchDtype` is read
 * as a precision fallback). Order does not matter:
 * - format: the one most weight parts have (ties: the first seen);
 * - parameters: the sum over the parts of that format (shards of one model), else any part's;
 * - precision: the sorted union over the parts of that format, else a config part's precision
 *   or `torchDtype`;
 * - quantization: from the parts of that format, else any weight part (a GGUF beside safetensors);
 * - architecture, modelType, contextLength: config parts first (`LlamaForCausalLM` rather than
 *   GGUF's `llama`), then the parts of the chosen format, then any.
 */
export function mergeFacts(...parts: Array<Partial<ModelFacts> & { torchDtype?: string }>): ModelFacts {
  const weights = parts.filter((p) => p.format !== undefined);
  const configs = parts.filter((p) => p.format === undefined);
  const format = mostCommon(weights.map((p) => p.format as string));
  const chosen = weights.filter((p) => p.format === format);
  const first = <K extends keyof ModelFacts>(key: K, ...groups: Array<typeof parts>): ModelFacts[K] | undefined => {
    for (const group of groups) {
      const found = group.find((p) => p[key] !== undefined);
      if (found) return found[key];
    }
    return undefined;
  };

  const facts: ModelFacts = {};
  if (format !== undefined) facts.format = format;
  const counted = chosen.filter((p) => p.parameters !== undefined);
  const parameters = counted.length > 0 ? counted.reduce((sum, p) => sum + (p.parameters ?? 0), 0) : first('parameters', parts);
  if (parameters !== undefined) facts.parameters = parameters;
  const precision = unionOfLists(chosen.map((p) => p.precision)) ?? first('precision', configs, parts) ?? torchPrecision(configs.find((p) => p.torchDtype)?.torchDtype);
  if (precision !== undefined) facts.precision = precision;
  const quantization = first('quantization', chosen, weights, parts);
  if (quantization !== undefined) facts.quantization = quantization;
  for (const key of ['architecture', 'modelType'] as const) {
    const value = first(key, configs, chosen, parts);
    if (value !== undefined) facts[key] = value;
  }
  const contextLength = first('contextLength', configs, chosen, parts);
  if (contextLength !== undefined) facts.contextLength = contextLength;
  return facts;
}

/**
 * A ModelPack config for a model: descriptor (name, version, createdAt, family = model type),
 * config (architecture, format, paramSize, precision, quantization) and modelfs (the layer
 * digests, which are their diffIds because every layer Berth writes is uncompressed). `format`
 * comes from the facts, else from the most common weight format among the layers.
 */
export function buildModelConfig(input: ModelConfigInput): ModelPackConfig {
  if (input.name.trim() === '') throw new Error('a ModelPack config needs a non-empty model name');
  if (Number.isNaN(input.createdAt.getTime())) throw new Error('a ModelPack config needs a valid createdAt date');
  if (input.layers.length === 0) throw new Error('a ModelPack model needs at least one layer');
  const { facts } = input;
  const descriptor: ModelPackConfig['descriptor'] = { name: input.name, createdAt: input.createdAt.toISOString() };
  if (input.version !== undefined && input.version !== '') descriptor.version = input.version;
  if (facts.modelType !== undefined) descriptor.family = facts.modelType;

  const config: ModelPackConfig['config'] = {};
  if (facts.architecture !== undefined) config.architecture = facts.architecture;
  const format = facts.format ?? mostCommon(input.layers.filter((l) => l.kind === 'weight').map((l) => weightFormat(l.path)).filter((f): f is string => f !== undefined));
  if (format !== undefined) config.format = format;
  if (facts.parameters !== undefined && facts.parameters > 0) config.paramSize = formatParamSize(facts.parameters);
  if (facts.precision !== undefined) config.precision = facts.precision;
  if (facts.quantization !== undefined) config.quantization = facts.quantization;

  return { descriptor, config, modelfs: { type: 'layers', diffIds: input.layers.map((l) => l.digest) } };
}

/**
 * The OCI image manifest of a ModelPack model: `artifactType` set, the config descriptor typed
 * as a ModelPack config, each layer annotated with its file path (checked by `safeRelativePath`).
 */
export function buildModelManifest(
  config: { digest: string; size: number },
  layers: Array<{ digest: string; size: number; mediaType: string; path: string }>,
  annotations?: Record<string, string>,
): ModelManifest {
  if (layers.length === 0) throw new Error('a ModelPack model needs at least one layer');
  const manifest: ModelManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: MODELPACK.artifactType,
    config: { mediaType: MODELPACK.config, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({
      mediaType: l.mediaType,
      digest: l.digest,
      size: l.size,
      annotations: { [ANNOTATION_FILEPATH]: safeRelativePath(l.path) },
    })),
  };
  if (annotations && Object.keys(annotations).length > 0) manifest.annotations = { ...annotations };
  return manifest;
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [value, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = value;
  return best;
}

function unionOfLists(lists: Array<string | undefined>): string | undefined {
  const names = new Set(lists.flatMap((l) => (l ? l.split(',').map((s) => s.trim()).filter(Boolean) : [])));
  return names.size > 0 ? [...names].sort().join(',') : undefined;
}

const TORCH_DTYPES: Record<string, string> = { half: 'float16', float: 'float32', double: 'float64', bf16: 'bfloat16', fp16: 'float16', fp32: 'float32' };

function torchPrecision(dtype: string | undefined): string | undefined {
  if (dtype === undefined || dtype === 'auto') return undefined;
  const name = dtype.replace(/^torch\./, '').toLowerCase();
  return TORCH_DTYPES[name] ?? name;
}
