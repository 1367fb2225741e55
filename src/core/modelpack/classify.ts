// Which ModelPack layer kind a file of a Hugging Face style model folder is, and which weight
// format a weight file is in. `berth push` turns a folder into one raw layer per file; the kind
// picks the layer's media type, so Harbor shows README/LICENSE and serving tools find weights.
// https://github.com/modelpack/model-spec/blob/main/docs/spec.md#layer-media-types
import type { LayerKind } from './media-types.js';

const WEIGHT_CONFIG_NAMES = new Set([
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'preprocessor_config.json',
  'processor_config.json',
  'adapter_config.json',
  'merges.txt',
  'params.json',
  'spiece.model',
  'tekken.json',
]);

const WEIGHT_CONFIG_PREFIXES = ['vocab.', 'chat_template.', 'tokenizer.model', 'sentencepiece.'];

const WEIGHT_EXTENSIONS = new Set([
  'safetensors',
  'bin',
  'gguf',
  'pt',
  'pth',
  'ckpt',
  'onnx',
  'onnx_data',
  'h5',
  'keras',
  'msgpack',
  'tflite',
  'mlmodel',
  'pb',
]);

const DOC_PREFIXES = ['readme', 'license', 'licence', 'notice', 'use_policy', 'citation'];

const DATASET_FOLDERS = new Set(['data', 'dataset', 'datasets']);

const DATASET_EXTENSIONS = new Set(['parquet', 'arrow', 'jsonl', 'csv', 'tsv']);

/**
 * The layer kind of a file, from its path relative to the model root. Rules, first match wins,
 * names compared case-insensitively: anything under a top-level `data/`, `dataset/` or
 * `datasets/` folder is `dataset`; tokenizer/config files and `*.index.json` shard maps are
 * `weight.config`; weight extensions (safetensors, bin, gguf, pt, pth, ckpt, onnx, h5, msgpack,
 * tflite, mlmodel, pb ...) are `weight`; README, LICENSE, NOTICE, USE_POLICY, CITATION and
 * `*.md` are `doc`; parquet, arrow, jsonl, csv and tsv are `dataset`; everything else is `code`.
 */
export function classifyFile(relativePath: string): LayerKind {
  const segments = relativePath.toLowerCase().split('/');
  const name = segments[segments.length - 1] ?? '';
  const ext = extensionOf(name);
  if (segments.length > 1 && DATASET_FOLDERS.has(segments[0] ?? '')) return 'dataset';
  if (WEIGHT_CONFIG_NAMES.has(name) || name.endsWith('.index.json')) return 'weight.config';
  if (WEIGHT_CONFIG_PREFIXES.some((p) => name.startsWith(p))) return 'weight.config';
  if (WEIGHT_EXTENSIONS.has(ext)) return 'weight';
  if (ext === 'md' || DOC_PREFIXES.some((p) => name === p || (name.startsWith(p) && '.-_'.includes(name[p.length] ?? '')))) return 'doc';
  if (DATASET_EXTENSIONS.has(ext)) return 'dataset';
  return 'code';
}

const FORMATS: Record<string, string> = {
  safetensors: 'safetensors',
  gguf: 'gguf',
  bin: 'pytorch',
  pt: 'pytorch',
  pth: 'pytorch',
  ckpt: 'pytorch',
  onnx: 'onnx',
  onnx_data: 'onnx',
  h5: 'h5',
  keras: 'keras',
  msgpack: 'flax',
  tflite: 'tflite',
  mlmodel: 'coreml',
  pb: 'tensorflow',
};

/**
 * The ModelPack `config.format` name of a weight file (`safetensors`, `gguf`, `pytorch`, `onnx`,
 * `h5`, `keras`, `flax`, `tflite`, `coreml`, `tensorflow`), or undefined for other files.
 */
export function weightFormat(relativePath: string): string | undefined {
  const lower = relativePath.toLowerCase();
  if (lower.endsWith('.index.json')) return undefined;
  return FORMATS[extensionOf(lower.slice(lower.lastIndexOf('/') + 1))];
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1);
}
