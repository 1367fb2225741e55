import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_GGUF, ggufBytes, writeModelFixture, type GgufValue } from '../../../test/support/model-fixtures.js';
import { ggufFileTypeName, parseGgufHeader } from './gguf.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const BASIC: Array<[string, GgufValue]> = [
  ['general.architecture', { type: 'string', value: 'qwen2' }],
  ['general.name', { type: 'string', value: 'Qwen2 0.5B' }],
  ['qwen2.context_length', { type: 'uint32', value: 32768 }],
  ['general.file_type', { type: 'uint32', value: 7 }],
];

describe('parseGgufHeader', () => {
  it('reads the fixture GGUF file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-gguf-'));
    dirs.push(dir);
    const fixture = await writeModelFixture(dir);
    const file = fixture.files.find((f) => f.path.endsWith('.gguf'))!;
    const header = parseGgufHeader(await readFile(join(dir, file.path)));
    expect(header).toMatchObject({
      version: 3,
      tensorCount: FIXTURE_GGUF.tensors.length,
      architecture: 'llama',
      name: FIXTURE_GGUF.name,
      contextLength: fixture.expected.contextLength,
      quantization: fixture.expected.quantization,
      parameterCount: FIXTURE_GGUF.parameters,
      truncated: false,
    });
    expect(header.metadata).toMatchObject({
      'general.alignment': 32,
      'llama.rope.freq_base': 500000,
      'tokenizer.ggml.tokens': `array[${FIXTURE_GGUF.tokens.length}]`,
      'tokenizer.ggml.scores': `array[${FIXTURE_GGUF.tokens.length}]`,
      'tokenizer.ggml.add_bos_token': true,
      'tokenizer.ggml.model': 'llama',
    });
  });

  it('reads every value type, including 64-bit integers and nested arrays, and keeps reading after them', () => {
    const bytes = ggufBytes({
      version: 2,
      metadata: [
        ['u8', { type: 'uint8', value: 255 }],
        ['i8', { type: 'int8', value: -5 }],
        ['u16', { type: 'uint16', value: 65535 }],
        ['i16', { type: 'int16', value: -300 }],
        ['u32', { type: 'uint32', value: 4_000_000_000 }],
        ['i32', { type: 'int32', value: -7 }],
        ['f32', { type: 'float32', value: 1.5 }],
        ['f64', { type: 'float64', value: 0.1 }],
        ['b', { type: 'bool', value: false }],
        ['s', { type: 'string', value: 'héllo ▁' }],
        ['u64.small', { type: 'uint64', value: 42n }],
        ['u64.big', { type: 'uint64', value: 2n ** 60n }],
        ['i64', { type: 'int64', value: -3n }],
        ['nested', { type: 'array', itemType: 'array', items: [
          { type: 'array', itemType: 'string', items: ['a', 'bc'] },
          { type: 'array', itemType: 'int32', items: [1, 2, 3] },
        ] }],
        ['bytes', { type: 'array', itemType: 'uint8', items: [1, 2, 3, 4, 5] }],
        ['empty', { type: 'array', itemType: 'string', items: [] }],
        ['general.parameter_count', { type: 'uint64', value: 494_032_768n }],
        ['last', { type: 'string', value: 'still read' }],
      ],
      tensors: [{ name: 'x', dims: [16], ggmlType: 0 }],
    });
    const header = parseGgufHeader(bytes);
    expect(header.version).toBe(2);
    expect(header.truncated).toBe(false);
    expect(header.metadata).toEqual({
      u8: 255, i8: -5, u16: 65535, i16: -300, u32: 4_000_000_000, i32: -7, f32: 1.5, f64: 0.1, b: false, s: 'héllo ▁',
      'u64.small': 42, 'u64.big': 2n ** 60n, i64: -3, nested: 'array[2]', bytes: 'array[5]', empty: 'array[0]',
      'general.parameter_count': 494_032_768, last: 'still read',
    });
    expect(header.parameterCount).toBe(494_032_768);
  });

  it('derives architecture, context length and quantization through the architecture prefix', () => {
    const header = parseGgufHeader(ggufBytes({ metadata: BASIC, tensors: [] }));
    expect(header).toMatchObject({ architecture: 'qwen2', name: 'Qwen2 0.5B', contextLength: 32768, quantization: 'Q8_0', parameterCount: 0, tensorCount: 0 });
  });

  it('leaves out what the file does not say', () => {
    const header = parseGgufHeader(ggufBytes({ metadata: [['llama.context_length', { type: 'uint32', value: 4096 }]], tensors: [] }));
    expect(header.architecture).toBeUndefined();
    expect(header.contextLength).toBeUndefined();
    expect(header.quantization).toBeUndefined();
  });

  it('returns what it read, marked truncated, wherever the bytes stop after the fixed header', () => {
    const full = ggufBytes({
      metadata: [...BASIC, ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', items: FIXTURE_GGUF.tokens }]],
      tensors: FIXTURE_GGUF.tensors,
    });
    const complete = parseGgufHeader(full);
    let sawPartial = false;
    for (let cut = 24; cut < full.length; cut++) {
      const header = parseGgufHeader(full.subarray(0, cut));
      for (const [key, value] of Object.entries(header.metadata)) expect(complete.metadata[key]).toEqual(value);
      if (header.truncated) {
        expect(header.parameterCount).toBeUndefined();
        if (header.quantization && !header.metadata['tokenizer.ggml.tokens']) sawPartial = true;
      } else {
        expect(header).toEqual(complete);
      }
    }
    expect(sawPartial).toBe(true);
    expect(parseGgufHeader(full.subarray(0, 24))).toMatchObject({ version: 3, tensorCount: 3, metadata: {}, truncated: true });
  });

  it('refuses a wrong magic, an unsupported version and a short header with a clear message', () => {
    const good = ggufBytes({ metadata: BASIC, tensors: [] });
    const ggml = good.slice();
    ggml.set(new TextEncoder().encode('GGML'), 0);
    expect(() => parseGgufHeader(ggml)).toThrow(/not a GGUF file: it does not start with the magic "GGUF"/);
    expect(() => parseGgufHeader(new Uint8Array(0))).toThrow(/magic/);
    expect(() => parseGgufHeader(new TextEncoder().encode('{"__metadata__":{}}'))).toThrow(/magic/);
    expect(() => parseGgufHeader(ggufBytes({ version: 1, metadata: [], tensors: [] }))).toThrow(/GGUF version 1 is not supported/);
    const bigEndian = good.slice();
    new DataView(bigEndian.buffer).setUint32(4, 3, false);
    expect(() => parseGgufHeader(bigEndian)).toThrow(/version 50331648 \(a big-endian file\?\) is not supported/);
    expect(() => parseGgufHeader(good.subarray(0, 12))).toThrow(/needs at least 24 bytes, got 12/);
  });

  it('refuses value types the spec does not define', () => {
    const bytes = ggufBytes({ metadata: [['k', { type: 'uint32', value: 1 }]], tensors: [] });
    const keyEnd = 24 + 8 + 1;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(keyEnd, 13, true);
    expect(() => parseGgufHeader(bytes)).toThrow(/GGUF value type 13 at byte \d+ is not one the spec defines/);
  });

  it('refuses counts no file can hold', () => {
    const bytes = ggufBytes({ metadata: [], tensors: [] });
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(8, 2n ** 62n, true);
    expect(() => parseGgufHeader(bytes)).toThrow(/tensor count at byte 8 is 4611686018427387904, which is not plausible/);
  });
});

describe('ggufFileTypeName', () => {
  it('names llama.cpp file types and marks unknown ones', () => {
    const table: Array<[number, string]> = [
      [0, 'F32'], [1, 'F16'], [2, 'Q4_0'], [3, 'Q4_1'], [7, 'Q8_0'], [8, 'Q5_0'], [9, 'Q5_1'], [10, 'Q2_K'], [11, 'Q3_K_S'], [12, 'Q3_K_M'],
      [13, 'Q3_K_L'], [14, 'Q4_K_S'], [15, 'Q4_K_M'], [16, 'Q5_K_S'], [17, 'Q5_K_M'], [18, 'Q6_K'], [19, 'IQ2_XXS'], [20, 'IQ2_XS'],
      [24, 'IQ1_S'], [25, 'IQ4_NL'], [26, 'IQ3_S'], [28, 'IQ2_S'], [30, 'IQ4_XS'], [32, 'BF16'], [36, 'TQ1_0'],
    ];
    for (const [n, name] of table) expect(ggufFileTypeName(n)).toBe(name);
    expect(ggufFileTypeName(5)).toBe('type_5');
    expect(ggufFileTypeName(999)).toBe('type_999');
  });
});
