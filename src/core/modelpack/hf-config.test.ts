import { describe, expect, it } from 'vitest';
import { readHfConfig } from './hf-config.js';

describe('readHfConfig', () => {
  it('reads a transformers llama config', () => {
    expect(readHfConfig({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16', max_position_embeddings: 131072, hidden_size: 4096,
    })).toEqual({ architecture: 'LlamaForCausalLM', modelType: 'llama', torchDtype: 'bfloat16', contextLength: 131072 });
  });

  it('reads the newer `dtype` name, drops a `torch.` prefix, and falls back to n_positions', () => {
    expect(readHfConfig({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', dtype: 'torch.float16', n_positions: 1024 }))
      .toEqual({ architecture: 'GPT2LMHeadModel', modelType: 'gpt2', torchDtype: 'float16', contextLength: 1024 });
  });

  it('looks into text_config of multimodal configs', () => {
    expect(readHfConfig({ architectures: ['Gemma3ForConditionalGeneration'], model_type: 'gemma3', text_config: { max_position_embeddings: 131072, torch_dtype: 'bfloat16' } }))
      .toEqual({ architecture: 'Gemma3ForConditionalGeneration', modelType: 'gemma3', torchDtype: 'bfloat16', contextLength: 131072 });
  });

  it('never throws and ignores fields of the wrong type', () => {
    for (const input of [null, undefined, 42, 'config', [], [{ model_type: 'x' }], true]) expect(readHfConfig(input)).toEqual({});
    expect(readHfConfig({})).toEqual({});
    expect(readHfConfig({ architectures: 'LlamaForCausalLM', model_type: 7, torch_dtype: null, max_position_embeddings: '4096', text_config: 'x' })).toEqual({});
    expect(readHfConfig({ architectures: [], model_type: '  ', max_position_embeddings: -1 })).toEqual({});
    expect(readHfConfig({ architectures: [null, 'X'], max_position_embeddings: 1.5, n_positions: 0 })).toEqual({});
  });
});
