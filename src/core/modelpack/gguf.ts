// Reads the header of a GGUF file (llama.cpp's single-file model format) from its first bytes,
// so `berth push` can record architecture, context length and quantization of a multi-GB file
// after reading only its first few MiB.
// https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
// Layout (little-endian): magic "GGUF", u32 version, u64 tensor_count, u64 metadata_kv_count,
// then metadata_kv_count {string key, u32 value_type, value}, then tensor_count tensor infos
// {string name, u32 n_dims, u64 dims[n_dims], u32 ggml_type, u64 offset}. A string is u64 length
// + UTF-8 bytes; an array is u32 item type + u64 count + items.

/** What the header of a GGUF file says, as far as the bytes given reach. */
export interface GgufHeader {
  version: number;
  tensorCount: number;
  /** Metadata values; 64-bit integers beyond Number.MAX_SAFE_INTEGER as bigint; arrays as `array[<n>]`. */
  metadata: Record<string, string | number | boolean | bigint>;
  architecture?: string;
  name?: string;
  contextLength?: number;
  /** llama.cpp's name for `general.file_type`, e.g. `Q4_K_M`; `type_<n>` when unknown. */
  quantization?: string;
  /** `general.parameter_count`, else the sum of the tensor shapes when all tensor infos were read. */
  parameterCount?: number;
  /** True when the bytes ended before the metadata and tensor infos did. */
  truncated: boolean;
}

/** The smallest input that holds the fixed part of the header. */
export const GGUF_FIXED_HEADER_BYTES = 24;

/**
 * `general.file_type` values (llama.cpp `llama_ftype`, gguf-py `LlamaFileType`) and the names
 * llama.cpp's quantize tool gives them. 4-6 and 33-35 are retired.
 * https://github.com/ggml-org/llama.cpp/blob/master/gguf-py/gguf/constants.py
 */
const FILE_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1',
  10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M', 13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M',
  16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 19: 'IQ2_XXS', 20: 'IQ2_XS', 21: 'Q2_K_S',
  22: 'IQ3_XS', 23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL', 26: 'IQ3_S', 27: 'IQ3_M',
  28: 'IQ2_S', 29: 'IQ2_M', 30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16', 36: 'TQ1_0', 37: 'TQ2_0',
  38: 'MXFP4_MOE',
};

/** llama.cpp's name for a `general.file_type` value, or `type_<n>` for one it does not know. */
export function ggufFileTypeName(fileType: number): string {
  return FILE_TYPES[fileType] ?? `type_${fileType}`;
}

/** Value type ids of the spec's `gguf_metadata_value_type`. */
const T = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 } as const;

const FIXED_WIDTH: Partial<Record<number, number>> = {
  [T.U8]: 1, [T.I8]: 1, [T.BOOL]: 1, [T.U16]: 2, [T.I16]: 2,
  [T.U32]: 4, [T.I32]: 4, [T.F32]: 4, [T.U64]: 8, [T.I64]: 8, [T.F64]: 8,
};

/** Thrown inside the reader when the bytes run out; turned into `truncated: true`. */
class OutOfBytes extends Error {}

class Reader {
  private readonly view: DataView;
  private readonly decoder = new TextDecoder('utf-8');
  pos = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(n: number): number {
    if (n > this.bytes.length - this.pos) throw new OutOfBytes();
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u32(): number { return this.view.getUint32(this.take(4), true); }
  u64(): bigint { return this.view.getBigUint64(this.take(8), true); }

  /** A u64 that must fit a JS number; beyond the buffer it can only mean truncation or garbage. */
  count(what: string): number {
    const at = this.pos;
    const n = this.u64();
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`GGUF ${what} at byte ${at} is ${n}, which is not plausible: the file is corrupt`);
    return Number(n);
  }

  skip(n: number): void { this.take(n); }

  string(what: string): string {
    const n = this.count(`${what} length`);
    const at = this.take(n);
    return this.decoder.decode(this.bytes.subarray(at, at + n));
  }

  scalar(type: number): string | number | boolean | bigint {
    switch (type) {
      case T.U8: return this.view.getUint8(this.take(1));
      case T.I8: return this.view.getInt8(this.take(1));
      case T.U16: return this.view.getUint16(this.take(2), true);
      case T.I16: return this.view.getInt16(this.take(2), true);
      case T.U32: return this.view.getUint32(this.take(4), true);
      case T.I32: return this.view.getInt32(this.take(4), true);
      case T.F32: return this.view.getFloat32(this.take(4), true);
      case T.F64: return this.view.getFloat64(this.take(8), true);
      case T.BOOL: return this.view.getUint8(this.take(1)) !== 0;
      case T.U64: return narrow(this.view.getBigUint64(this.take(8), true));
      case T.I64: return narrow(this.view.getBigInt64(this.take(8), true));
      case T.STRING: return this.string('string value');
      default: throw new Error(`GGUF value type ${type} at byte ${this.pos} is not one the spec defines: the file is corrupt`);
    }
  }

  /** Reads an array's header and steps over its items, returning the item count. */
  array(): number {
    const itemType = this.u32();
    const n = this.count('array length');
    const width = FIXED_WIDTH[itemType];
    if (width !== undefined) {
      this.skip(n * width);
    } else if (itemType === T.STRING) {
      for (let i = 0; i < n; i++) this.skip(this.count('string length'));
    } else if (itemType === T.ARRAY) {
      for (let i = 0; i < n; i++) this.array();
    } else {
      throw new Error(`GGUF array item type ${itemType} at byte ${this.pos} is not one the spec defines: the file is corrupt`);
    }
    return n;
  }
}

function narrow(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * Parses a GGUF header from the first bytes of the file. When the bytes end inside the
 * metadata or tensor infos, returns what was read with `truncated: true`. Throws for a wrong
 * magic, a version other than 2 or 3, or values no valid file can hold.
 */
export function parseGgufHeader(bytes: Uint8Array): GgufHeader {
  if (bytes.length < 4 || bytes[0] !== 0x47 || bytes[1] !== 0x47 || bytes[2] !== 0x55 || bytes[3] !== 0x46) {
    throw new Error('not a GGUF file: it does not start with the magic "GGUF"');
  }
  if (bytes.length < GGUF_FIXED_HEADER_BYTES) throw new Error(`GGUF header needs at least ${GGUF_FIXED_HEADER_BYTES} bytes, got ${bytes.length}`);
  const r = new Reader(bytes);
  r.skip(4);
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    const hint = version > 0xffff ? ' (a big-endian file?)' : '';
    throw new Error(`GGUF version ${version}${hint} is not supported: Berth reads versions 2 and 3`);
  }
  const tensorCount = r.count('tensor count');
  const kvCount = r.count('metadata count');
  const metadata: GgufHeader['metadata'] = {};
  let truncated = false;
  let parameters: number | undefined;
  try {
    for (let i = 0; i < kvCount; i++) {
      const key = r.string('key');
      const type = r.u32();
      metadata[key] = type === T.ARRAY ? `array[${r.array()}]` : r.scalar(type);
    }
    parameters = sumTensorShapes(r, tensorCount);
  } catch (err) {
    if (!(err instanceof OutOfBytes)) throw err;
    truncated = true;
  }
  return { version, tensorCount, metadata, ...derived(metadata, parameters), truncated };
}

/** ggml has 4; the spec allows for more later, so only clearly corrupt counts are refused. */
const MAX_DIMS = 16;

function sumTensorShapes(r: Reader, tensorCount: number): number {
  let total = 0;
  for (let i = 0; i < tensorCount; i++) {
    r.string('tensor name');
    const dims = r.u32();
    if (dims > MAX_DIMS) throw new Error(`GGUF tensor ${i} has ${dims} dimensions, more than any ggml tensor can have: the file is corrupt`);
    let elements = 1;
    for (let d = 0; d < dims; d++) elements *= r.count('tensor dimension');
    r.u32();
    r.u64();
    total += elements;
  }
  return total;
}

function derived(metadata: GgufHeader['metadata'], tensorParameters: number | undefined): Partial<GgufHeader> {
  const out: Partial<GgufHeader> = {};
  const architecture = metadata['general.architecture'];
  if (typeof architecture === 'string') out.architecture = architecture;
  const name = metadata['general.name'];
  if (typeof name === 'string') out.name = name;
  const context = out.architecture === undefined ? undefined : asCount(metadata[`${out.architecture}.context_length`]);
  if (context !== undefined) out.contextLength = context;
  const fileType = asCount(metadata['general.file_type']);
  if (fileType !== undefined) out.quantization = ggufFileTypeName(fileType);
  const parameters = asCount(metadata['general.parameter_count']) ?? tensorParameters;
  if (parameters !== undefined) out.parameterCount = parameters;
  return out;
}

function asCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
