import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { safetensorsBytes, safetensorsHeader, writeModelFixture, type SafetensorsTensor } from '../../../test/support/model-fixtures.js';
import { parseSafetensorsHeader, precisionOf, safetensorsHeaderLength } from './safetensors.js';

const TENSORS: SafetensorsTensor[] = [
  { name: 'embed.weight', dtype: 'BF16', shape: [32, 16] },
  { name: 'norm.weight', dtype: 'F32', shape: [16] },
  { name: 'scale', dtype: 'F32', shape: [] },
  { name: 'q.weight', dtype: 'I8', shape: [4, 4, 2] },
];

function lengthPrefix(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

function headerOf(json: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(json));
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('safetensorsHeaderLength', () => {
  it('reads the u64 little-endian length', () => {
    expect(safetensorsHeaderLength(lengthPrefix(1234))).toBe(1234);
    const file = safetensorsBytes(TENSORS);
    expect(safetensorsHeaderLength(file.subarray(0, 8))).toBe(safetensorsHeader(TENSORS).header.length - 8);
  });

  it('refuses short input, absurd and tiny lengths with a clear message', () => {
    expect(() => safetensorsHeaderLength(new Uint8Array(5))).toThrow(/too short.*got 5/);
    expect(() => safetensorsHeaderLength(lengthPrefix(100_000_001))).toThrow(/exceeds the 100000000-byte limit/);
    expect(() => safetensorsHeaderLength(lengthPrefix(2n ** 63n))).toThrow(/not a plausible size/);
    expect(() => safetensorsHeaderLength(lengthPrefix(1))).toThrow(/too small/);
    expect(() => safetensorsHeaderLength(new TextEncoder().encode('GGUF\x03\0\0\0'))).toThrow(/safetensors/);
  });
});

describe('parseSafetensorsHeader', () => {
  it('counts parameters, dtypes and tensors of independently written bytes', () => {
    const file = safetensorsBytes(TENSORS, { format: 'pt' });
    const n = safetensorsHeaderLength(file);
    const header = parseSafetensorsHeader(file.subarray(8, 8 + n));
    expect(header).toEqual({
      parameters: 32 * 16 + 16 + 1 + 32,
      dtypes: ['BF16', 'F32', 'I8'],
      tensors: 4,
      dataBytes: 32 * 16 * 2 + 16 * 4 + 4 + 32,
      metadata: { format: 'pt' },
    });
    expect(8 + n + header.dataBytes).toBe(file.length);
  });

  it('leaves metadata out when the file has none, and accepts an empty file', () => {
    expect(parseSafetensorsHeader(headerOf({}))).toEqual({ parameters: 0, dtypes: [], tensors: 0, dataBytes: 0 });
    expect(parseSafetensorsHeader(headerOf({ __metadata__: { a: 'b' } })).metadata).toEqual({ a: 'b' });
  });

  it('reads the fixture shards from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-safetensors-'));
    dirs.push(dir);
    const fixture = await writeModelFixture(dir);
    let parameters = 0;
    const dtypes = new Set<string>();
    for (const f of fixture.files.filter((x) => x.path.endsWith('.safetensors'))) {
      const handle = await open(join(dir, f.path), 'r');
      try {
        const first8 = new Uint8Array(8);
        await handle.read(first8, 0, 8, 0);
        const n = safetensorsHeaderLength(first8);
        const json = new Uint8Array(n);
        await handle.read(json, 0, n, 8);
        const header = parseSafetensorsHeader(json);
        expect(8 + n + header.dataBytes).toBe(f.size);
        parameters += header.parameters;
        header.dtypes.forEach((d) => dtypes.add(d));
      } finally {
        await handle.close();
      }
    }
    expect(parameters).toBe(fixture.expected.parameters);
    expect(precisionOf([...dtypes])).toBe(fixture.expected.precision);
  });

  it('explains a wrong length prefix', () => {
    const file = safetensorsBytes(TENSORS);
    const n = safetensorsHeaderLength(file);
    expect(() => parseSafetensorsHeader(file.subarray(8, 8 + n + 16))).toThrow(/not valid (JSON|UTF-8) \(is the 8-byte length prefix right\?\)/);
    expect(() => parseSafetensorsHeader(file.subarray(8, 8 + n - 10))).toThrow(/not valid JSON \(is the 8-byte length prefix right\?\)/);
    expect(() => parseSafetensorsHeader(Uint8Array.of(0xff, 0xfe, 0x7b, 0x7d))).toThrow(/not valid UTF-8/);
  });

  it.each([
    ['a JSON array', [], /must be a JSON object/],
    ['a tensor that is not an object', { t: 3 }, /tensor "t" must be an object/],
    ['a missing dtype', { t: { shape: [1], data_offsets: [0, 4] } }, /tensor "t" has no valid "dtype"/],
    ['a negative dimension', { t: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, /"shape" that is not an array of non-negative integers/],
    ['a fractional dimension', { t: { dtype: 'F32', shape: [1.5], data_offsets: [0, 6] } }, /"shape"/],
    ['offsets of the wrong arity', { t: { dtype: 'F32', shape: [1], data_offsets: [0] } }, /"data_offsets" that are not \[begin, end\]/],
    ['offsets that run backwards', { t: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, /end before they begin/],
    ['offsets that do not fit the shape', { t: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 8] } }, /span 8 bytes but 4 F32 elements need 16/],
    ['a gap between tensors', { a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, b: { dtype: 'U8', shape: [4], data_offsets: [8, 12] } }, /tensor "b" starts at byte 8 .* ends at 4/],
    ['overlapping tensors', { a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, b: { dtype: 'U8', shape: [4], data_offsets: [2, 6] } }, /no gap or overlap/],
    ['data not starting at 0', { a: { dtype: 'U8', shape: [4], data_offsets: [4, 8] } }, /starts at byte 4/],
    ['non-string metadata', { __metadata__: { n: 1 } }, /"__metadata__.n" must be a string/],
    ['metadata that is not an object', { __metadata__: 'x' }, /"__metadata__" must be an object/],
  ])('rejects %s with a clear message', (_what, json, message) => {
    expect(() => parseSafetensorsHeader(headerOf(json))).toThrow(message);
  });

  it('counts tensors of dtypes without a whole-byte size without checking their span', () => {
    const header = parseSafetensorsHeader(headerOf({ t: { dtype: 'F4', shape: [8, 2], data_offsets: [0, 8] } }));
    expect(header).toMatchObject({ parameters: 16, dtypes: ['F4'], tensors: 1 });
  });
});

describe('precisionOf', () => {
  it('maps every safetensors dtype ModelPack names', () => {
    const pairs: Array<[string, string]> = [
      ['BF16', 'bfloat16'], ['F16', 'float16'], ['F32', 'float32'], ['F64', 'float64'], ['F8_E4M3', 'float8_e4m3'], ['F8_E5M2', 'float8_e5m2'],
      ['I8', 'int8'], ['I16', 'int16'], ['I32', 'int32'], ['I64', 'int64'], ['U8', 'uint8'], ['U16', 'uint16'], ['U32', 'uint32'], ['U64', 'uint64'], ['BOOL', 'bool'],
    ];
    for (const [dtype, name] of pairs) expect(precisionOf([dtype])).toBe(name);
  });

  it('joins several as a sorted distinct list and drops names ModelPack lacks', () => {
    expect(precisionOf(['F32', 'BF16', 'F32', 'I64'])).toBe('bfloat16,float32,int64');
    expect(precisionOf(['F4', 'BF16'])).toBe('bfloat16');
    expect(precisionOf(['F4'])).toBeUndefined();
    expect(precisionOf([])).toBeUndefined();
  });
});
