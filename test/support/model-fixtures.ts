// A small model folder shaped like a Hugging Face repo, for push/pull tests and for the format
// parsers' unit tests. Safetensors and GGUF bytes are built here by hand-written writers that
// share no code with src/core/modelpack, so the parsers are checked against independent bytes.
// https://github.com/huggingface/safetensors#format
// https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LayerKind } from '../../src/core/modelpack/media-types.js';

/** One tensor of a safetensors file: dtype as spelled in the format, shape, data size from both. */
export interface SafetensorsTensor {
  name: string;
  dtype: 'BF16' | 'F16' | 'F32' | 'I8' | 'U8' | 'I32' | 'I64' | 'F8_E4M3';
  shape: number[];
}

const SAFETENSORS_WIDTH: Record<SafetensorsTensor['dtype'], number> = { BF16: 2, F16: 2, F32: 4, I8: 1, U8: 1, I32: 4, I64: 8, F8_E4M3: 1 };

/** The 8-byte length prefix plus the space-padded JSON header for these tensors, and the data size that must follow. */
export function safetensorsHeader(tensors: SafetensorsTensor[], metadata?: Record<string, string>): { header: Uint8Array; dataBytes: number } {
  const json: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_WIDTH[t.dtype];
    json[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let text = JSON.stringify(json);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const body = new TextEncoder().encode(text);
  const header = new Uint8Array(8 + body.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(body.length), true);
  header.set(body, 8);
  return { header, dataBytes: offset };
}

/** A whole safetensors file in memory, tensor data filled with deterministic noise. */
export function safetensorsBytes(tensors: SafetensorsTensor[], metadata?: Record<string, string>): Uint8Array {
  const { header, dataBytes } = safetensorsHeader(tensors, metadata);
  const out = new Uint8Array(header.length + dataBytes);
  out.set(header, 0);
  out.set(noise(dataBytes, 7), header.length);
  return out;
}

/** A GGUF metadata value with its wire type. */
export type GgufValue =
  | { type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64'; value: number }
  | { type: 'uint64' | 'int64'; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: 'string'; items: string[] }
  | { type: 'array'; itemType: 'float32' | 'int32' | 'uint8'; items: number[] }
  | { type: 'array'; itemType: 'array'; items: GgufValue[] };

/** A GGUF tensor info; `ggmlType` 0 = F32, 1 = F16, 12 = Q4_K, 14 = Q6_K. */
export interface GgufTensor {
  name: string;
  dims: number[];
  ggmlType: 0 | 1 | 12 | 14;
}

const GGUF_TYPE_IDS = { uint8: 0, int8: 1, uint16: 2, int16: 3, uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9, uint64: 10, int64: 11, float64: 12 } as const;

/** A whole GGUF file: header, metadata, tensor infos, padding to 32 bytes, tensor data. */
export function ggufBytes(options: { version?: number; metadata: Array<[string, GgufValue]>; tensors: GgufTensor[] }): Uint8Array {
  const w = new ByteWriter();
  w.bytes(new TextEncoder().encode('GGUF'));
  w.u32(options.version ?? 3);
  w.u64(BigInt(options.tensors.length));
  w.u64(BigInt(options.metadata.length));
  for (const [key, value] of options.metadata) {
    w.string(key);
    w.u32(GGUF_TYPE_IDS[value.type]);
    writeGgufValue(w, value);
  }
  let offset = 0;
  const sizes = options.tensors.map((t) => ggmlBytes(t));
  options.tensors.forEach((t, i) => {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(BigInt(d));
    w.u32(t.ggmlType);
    w.u64(BigInt(offset));
    offset += align(sizes[i] ?? 0, 32);
  });
  w.bytes(new Uint8Array(align(w.length, 32) - w.length));
  w.bytes(noise(offset, 11));
  return w.result();
}

function writeGgufValue(w: ByteWriter, v: GgufValue): void {
  switch (v.type) {
    case 'uint8': w.bytes(Uint8Array.of(v.value)); break;
    case 'int8': w.bytes(Uint8Array.of(v.value & 0xff)); break;
    case 'uint16': w.view(2, (dv) => dv.setUint16(0, v.value, true)); break;
    case 'int16': w.view(2, (dv) => dv.setInt16(0, v.value, true)); break;
    case 'uint32': w.u32(v.value); break;
    case 'int32': w.view(4, (dv) => dv.setInt32(0, v.value, true)); break;
    case 'float32': w.view(4, (dv) => dv.setFloat32(0, v.value, true)); break;
    case 'float64': w.view(8, (dv) => dv.setFloat64(0, v.value, true)); break;
    case 'uint64': w.u64(v.value); break;
    case 'int64': w.view(8, (dv) => dv.setBigInt64(0, v.value, true)); break;
    case 'bool': w.bytes(Uint8Array.of(v.value ? 1 : 0)); break;
    case 'string': w.string(v.value); break;
    case 'array':
      w.u32(GGUF_TYPE_IDS[v.itemType]);
      w.u64(BigInt(v.items.length));
      for (const item of v.items) {
        if (v.itemType === 'array') writeGgufValue(w, item as GgufValue);
        else writeGgufValue(w, { type: v.itemType, value: item } as GgufValue);
      }
      break;
  }
}

function ggmlBytes(t: GgufTensor): number {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.ggmlType === 0) return n * 4;
  if (t.ggmlType === 1) return n * 2;
  if (n % 256 !== 0) throw new Error(`k-quant tensor ${t.name} needs a multiple of 256 elements`);
  return (n / 256) * (t.ggmlType === 12 ? 144 : 210);
}

class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): void { this.chunks.push(b); this.length += b.length; }
  view(n: number, fill: (dv: DataView) => void): void { const b = new Uint8Array(n); fill(new DataView(b.buffer)); this.bytes(b); }
  u32(v: number): void { this.view(4, (dv) => dv.setUint32(0, v, true)); }
  u64(v: bigint): void { this.view(8, (dv) => dv.setBigUint64(0, v, true)); }
  string(s: string): void { const b = new TextEncoder().encode(s); this.u64(BigInt(b.length)); this.bytes(b); }
  result(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Deterministic non-repeating bytes (xorshift32), so equal sizes do not mean equal content. */
export function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The fixture's GGUF file: a Q4_K_M llama with a small vocabulary and three tensors. */
export const FIXTURE_GGUF = {
  name: 'Tiny Llama',
  tensors: [
    { name: 'token_embd.weight', dims: [256, 2], ggmlType: 12 },
    { name: 'blk.0.attn_q.weight', dims: [256, 1], ggmlType: 14 },
    { name: 'output_norm.weight', dims: [16], ggmlType: 0 },
  ] satisfies GgufTensor[],
  parameters: 256 * 2 + 256 + 16,
  tokens: ['<unk>', '<s>', '</s>', ...'abcdefghijklmnopqrstuvwxyz'.split(''), 'é', '▁the'],
};

const SHARD_1: SafetensorsTensor[] = [
  { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [32, 16] },
  { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'BF16', shape: [16, 16] },
  { name: 'model.norm.weight', dtype: 'F32', shape: [16] },
];
const SHARD_2: SafetensorsTensor[] = [
  { name: 'lm_head.weight', dtype: 'BF16', shape: [32, 16] },
  { name: 'model.layers.0.input_layernorm.weight', dtype: 'F32', shape: [16] },
];

/** A written fixture: its files (hand-classified) and what the model core should learn from them. */
export interface ModelFixture {
  dir: string;
  files: Array<{ path: string; size: number; kind: LayerKind }>;
  expected: {
    architecture: string;
    modelType: string;
    format: string;
    parameters: number;
    precision: string;
    quantization: string;
    contextLength: number;
  };
}

/**
 * Writes the fixture into `dir`. With `bigFileBytes`, the second safetensors shard gains a BF16
 * tensor of that many bytes (rounded up to even), written in 1 MiB chunks, for streaming tests.
 */
export async function writeModelFixture(dir: string, options: { bigFileBytes?: number } = {}): Promise<ModelFixture> {
  const files: ModelFixture['files'] = [];
  const put = async (path: string, kind: LayerKind, content: string | Uint8Array): Promise<void> => {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
    files.push({ path, size: bytes.length, kind });
  };
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

  await put('config.json', 'weight.config', json({
    architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16', max_position_embeddings: 4096,
    hidden_size: 16, intermediate_size: 32, num_attention_heads: 2, num_hidden_layers: 1, vocab_size: 32,
  }));
  await put('generation_config.json', 'weight.config', json({ bos_token_id: 1, eos_token_id: 2, temperature: 0.6 }));
  await put('tokenizer.json', 'weight.config', json({ version: '1.0', model: { type: 'BPE', vocab: Object.fromEntries(FIXTURE_GGUF.tokens.map((t, i) => [t, i])), merges: [] } }));
  await put('tokenizer_config.json', 'weight.config', json({ bos_token: '<s>', eos_token: '</s>', model_max_length: 4096 }));
  await put('special_tokens_map.json', 'weight.config', json({ bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' }));

  const shard1 = safetensorsBytes(SHARD_1, { format: 'pt' });
  await put('model-00001-of-00002.safetensors', 'weight', shard1);
  const shard2Tensors = [...SHARD_2];
  if (options.bigFileBytes !== undefined && options.bigFileBytes > 0) {
    shard2Tensors.push({ name: 'model.extra.weight', dtype: 'BF16', shape: [Math.ceil(options.bigFileBytes / 2)] });
  }
  const shard2Size = await writeSafetensorsStreaming(join(dir, 'model-00002-of-00002.safetensors'), shard2Tensors);
  files.push({ path: 'model-00002-of-00002.safetensors', size: shard2Size, kind: 'weight' });
  const weightMap = Object.fromEntries([
    ...SHARD_1.map((t) => [t.name, 'model-00001-of-00002.safetensors']),
    ...shard2Tensors.map((t) => [t.name, 'model-00002-of-00002.safetensors']),
  ]);
  const totalSize = safetensorsHeader(SHARD_1).dataBytes + safetensorsHeader(shard2Tensors).dataBytes;
  await put('model.safetensors.index.json', 'weight.config', json({ metadata: { total_size: totalSize }, weight_map: weightMap }));

  await put('tiny-llama-Q4_K_M.gguf', 'weight', ggufBytes({
    metadata: [
      ['general.architecture', { type: 'string', value: 'llama' }],
      ['general.name', { type: 'string', value: FIXTURE_GGUF.name }],
      ['general.alignment', { type: 'uint32', value: 32 }],
      ['llama.context_length', { type: 'uint32', value: 4096 }],
      ['llama.embedding_length', { type: 'uint32', value: 16 }],
      ['llama.block_count', { type: 'uint32', value: 1 }],
      ['llama.rope.freq_base', { type: 'float32', value: 500000 }],
      ['general.file_type', { type: 'uint32', value: 15 }],
      ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
      ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', items: FIXTURE_GGUF.tokens }],
      ['tokenizer.ggml.scores', { type: 'array', itemType: 'float32', items: FIXTURE_GGUF.tokens.map((_, i) => -i) }],
      ['tokenizer.ggml.bos_token_id', { type: 'uint32', value: 1 }],
      ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ],
    tensors: FIXTURE_GGUF.tensors,
  }));

  await put('README.md', 'doc', '---\nlicense: apache-2.0\nlibrary_name: transformers\ntags:\n  - llama\n  - text-generation\n---\n\n# Tiny Llama\n\nA two-shard test model. Not useful for anything but tests.\n');
  await put('LICENSE', 'doc', 'Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n');
  await put('original/params.json', 'weight.config', json({ dim: 16, n_layers: 1, n_heads: 2, vocab_size: 32, norm_eps: 1e-5 }));
  await put('scripts/convert.py', 'code', 'import json\n\n\ndef main():\n    print(json.dumps({"ok": True}))\n\n\nif __name__ == "__main__":\n    main()\n');
  await put('data/sample.jsonl', 'dataset', '{"text": "hello"}\n{"text": "world"}\n');

  const parameters = [...SHARD_1, ...shard2Tensors].reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  return {
    dir,
    files,
    expected: { architecture: 'LlamaForCausalLM', modelType: 'llama', format: 'safetensors', parameters, precision: 'bfloat16,float32', quantization: 'Q4_K_M', contextLength: 4096 },
  };
}

async function writeSafetensorsStreaming(path: string, tensors: SafetensorsTensor[]): Promise<number> {
  const { header, dataBytes } = safetensorsHeader(tensors, { format: 'pt' });
  const handle = await open(path, 'w');
  try {
    await handle.write(header);
    const chunk = 1 << 20;
    for (let done = 0, seed = 1; done < dataBytes; done += chunk, seed++) {
      await handle.write(noise(Math.min(chunk, dataBytes - done), seed));
    }
  } finally {
    await handle.close();
  }
  return header.length + dataBytes;
}
