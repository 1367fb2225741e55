// Reads the JSON header of a safetensors file, which is all `berth push` needs to learn a
// model's parameter count and precision without loading gigabytes of tensor data.
// https://github.com/huggingface/safetensors#format
// Layout: 8 bytes little-endian u64 N, then N bytes of UTF-8 JSON (may be padded with spaces),
// then the tensor data. The JSON maps tensor names to {dtype, shape, data_offsets} plus an
// optional "__metadata__" string-to-string map.

/** The largest header the reference implementation accepts (safetensors `MAX_HEADER_SIZE`). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** What a safetensors header says about the tensors of one file. */
export interface SafetensorsHeader {
  /** Sum over tensors of the product of their shape. */
  parameters: number;
  /** Distinct dtypes in order of first appearance, as spelled in the file (`BF16`, `F32` ...). */
  dtypes: string[];
  /** Number of tensors. */
  tensors: number;
  /** Bytes of tensor data after the header: the largest end offset. */
  dataBytes: number;
  /** The `__metadata__` map, when present. */
  metadata?: Record<string, string>;
}

/** Bytes per element of the dtypes whose size is a whole number of bytes. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8, C64: 8,
};

/** The header length from the first 8 bytes of a safetensors file; throws for short input or implausible lengths. */
export function safetensorsHeaderLength(first8: Uint8Array): number {
  if (first8.length < 8) throw new Error(`safetensors file is too short: need 8 bytes for the header length, got ${first8.length}`);
  const length = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`safetensors header length ${length} is not a plausible size: this is not a safetensors file`);
  const n = Number(length);
  if (n > SAFETENSORS_MAX_HEADER_BYTES) throw new Error(`safetensors header length ${n} exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit: the file is corrupt or not safetensors`);
  if (n < 2) throw new Error(`safetensors header length ${n} is too small to hold a JSON object`);
  return n;
}

/** Parses and validates the JSON header bytes (without the 8-byte length prefix). */
export function parseSafetensorsHeader(json: Uint8Array): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new Error('safetensors header is not valid UTF-8 (is the 8-byte length prefix right?)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`safetensors header is not valid JSON (is the 8-byte length prefix right?): ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw new Error('safetensors header must be a JSON object');

  let parameters = 0;
  let tensors = 0;
  let dataBytes = 0;
  const dtypes: string[] = [];
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      metadata = readMetadata(entry);
      continue;
    }
    const { dtype, elements, begin, end } = readTensor(name, entry);
    const width = DTYPE_BYTES[dtype];
    if (width !== undefined && (end - begin) !== elements * width) {
      throw new Error(`safetensors tensor "${name}": data_offsets span ${end - begin} bytes but ${elements} ${dtype} elements need ${elements * width}`);
    }
    parameters += elements;
    tensors += 1;
    dataBytes = Math.max(dataBytes, end);
    spans.push({ name, begin, end });
    if (!dtypes.includes(dtype)) dtypes.push(dtype);
  }
  checkContiguous(spans);
  return metadata ? { parameters, dtypes, tensors, dataBytes, metadata } : { parameters, dtypes, tensors, dataBytes };
}

/** Tensor data must tile the data section from byte 0 with no gap or overlap, as the reference loader demands. */
function checkContiguous(spans: Array<{ name: string; begin: number; end: number }>): void {
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const { name, begin, end } of spans) {
    if (begin !== expected) {
      throw new Error(`safetensors tensor "${name}" starts at byte ${begin} of the data but the previous tensor ends at ${expected}: offsets must leave no gap or overlap`);
    }
    expected = end;
  }
}

function readMetadata(entry: unknown): Record<string, string> {
  if (!isObject(entry)) throw new Error('safetensors "__metadata__" must be an object of strings');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string') throw new Error(`safetensors "__metadata__.${key}" must be a string`);
    out[key] = value;
  }
  return out;
}

function readTensor(name: string, entry: unknown): { dtype: string; elements: number; begin: number; end: number } {
  const where = `safetensors tensor "${name}"`;
  if (!isObject(entry)) throw new Error(`${where} must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !/^[A-Z0-9_]+$/.test(dtype)) throw new Error(`${where} has no valid "dtype"`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw new Error(`${where} has a "shape" that is not an array of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new Error(`${where} has "data_offsets" that are not [begin, end] non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new Error(`${where} has data_offsets [${begin}, ${end}] that end before they begin`);
  const elements = (shape as number[]).reduce((product, dim) => product * dim, 1);
  if (!Number.isSafeInteger(elements)) throw new Error(`${where} has a shape too large to count`);
  return { dtype, elements, begin, end };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PRECISIONS: Record<string, string> = {
  BF16: 'bfloat16', F16: 'float16', F32: 'float32', F64: 'float64',
  F8_E4M3: 'float8_e4m3', F8_E5M2: 'float8_e5m2',
  I8: 'int8', I16: 'int16', I32: 'int32', I64: 'int64',
  U8: 'uint8', U16: 'uint16', U32: 'uint32', U64: 'uint64',
  BOOL: 'bool', C64: 'complex64',
};

/**
 * The ModelPack `config.precision` for a set of safetensors dtypes: their ModelPack names,
 * sorted, distinct and comma-joined (`bfloat16,float32`); dtypes ModelPack has no name for are
 * left out; undefined when none is left.
 * https://github.com/modelpack/model-spec/blob/main/docs/config.md
 */
export function precisionOf(dtypes: string[]): string | undefined {
  const names = [...new Set(dtypes.map((d) => PRECISIONS[d.toUpperCase()]).filter((n): n is string => n !== undefined))].sort();
  return names.length > 0 ? names.join(',') : undefined;
}
