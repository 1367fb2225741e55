import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeModelFixture } from '../../../test/support/model-fixtures.js';
import { classifyFile, weightFormat } from './classify.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('classifyFile', () => {
  it('agrees with the hand-made kinds of the fixture repo', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-classify-'));
    dirs.push(dir);
    const fixture = await writeModelFixture(dir);
    for (const file of fixture.files) expect([file.path, classifyFile(file.path)]).toEqual([file.path, file.kind]);
  });

  it.each([
    ['model.safetensors', 'weight'],
    ['Model-00001-of-00004.SafeTensors', 'weight'],
    ['pytorch_model-00001-of-00002.bin', 'weight'],
    ['llama-3-8b.Q4_K_M.gguf', 'weight'],
    ['original/consolidated.00.pth', 'weight'],
    ['onnx/model.onnx', 'weight'],
    ['onnx/model.onnx_data', 'weight'],
    ['tf_model.h5', 'weight'],
    ['flax_model.msgpack', 'weight'],
    ['model.tflite', 'weight'],
    ['saved_model.pb', 'weight'],
    ['last.ckpt', 'weight'],
    ['model.pt', 'weight'],
    ['model.safetensors.index.json', 'weight.config'],
    ['pytorch_model.bin.index.json', 'weight.config'],
    ['config.json', 'weight.config'],
    ['text_encoder/config.json', 'weight.config'],
    ['CONFIG.JSON', 'weight.config'],
    ['tokenizer.model', 'weight.config'],
    ['tokenizer.model.v3', 'weight.config'],
    ['vocab.txt', 'weight.config'],
    ['vocab.json', 'weight.config'],
    ['merges.txt', 'weight.config'],
    ['added_tokens.json', 'weight.config'],
    ['preprocessor_config.json', 'weight.config'],
    ['chat_template.jinja', 'weight.config'],
    ['chat_template.json', 'weight.config'],
    ['adapter_config.json', 'weight.config'],
    ['original/params.json', 'weight.config'],
    ['README.md', 'doc'],
    ['readme', 'doc'],
    ['LICENSE', 'doc'],
    ['LICENSE.txt', 'doc'],
    ['LICENSE-MIT', 'doc'],
    ['NOTICE', 'doc'],
    ['USE_POLICY.md', 'doc'],
    ['CITATION.cff', 'doc'],
    ['docs/usage.md', 'doc'],
    ['data/train-00000.parquet', 'dataset'],
    ['Datasets/eval/README.md', 'dataset'],
    ['dataset/notes.txt', 'dataset'],
    ['eval.parquet', 'dataset'],
    ['train.jsonl', 'dataset'],
    ['results.csv', 'dataset'],
    ['x.tsv', 'dataset'],
    ['cache.arrow', 'dataset'],
    ['modeling_llama.py', 'code'],
    ['scripts/convert.sh', 'code'],
    ['.gitattributes', 'code'],
    ['Makefile', 'code'],
    ['notices.py', 'code'],
    ['data.py', 'code'],
    ['sub/data/x.bin', 'weight'],
  ] as const)('%s is %s', (path, kind) => {
    expect(classifyFile(path)).toBe(kind);
  });
});

describe('weightFormat', () => {
  it.each([
    ['model-00001-of-00002.safetensors', 'safetensors'],
    ['x.GGUF', 'gguf'],
    ['pytorch_model.bin', 'pytorch'],
    ['consolidated.00.pth', 'pytorch'],
    ['model.pt', 'pytorch'],
    ['model.onnx', 'onnx'],
    ['tf_model.h5', 'h5'],
    ['flax_model.msgpack', 'flax'],
    ['saved_model.pb', 'tensorflow'],
  ] as const)('%s is %s', (path, format) => {
    expect(weightFormat(path)).toBe(format);
  });

  it('is undefined for files that are not weights', () => {
    for (const path of ['config.json', 'model.safetensors.index.json', 'README.md', 'safetensors', 'dir.safetensors/readme']) expect(weightFormat(path)).toBeUndefined();
  });
});
