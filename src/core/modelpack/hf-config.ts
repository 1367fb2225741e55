// Reads the few facts `berth push` records from a transformers `config.json`: the model class,
// the model type, the weights' dtype and the context length. Configs vary a lot between model
// families, so every field is optional and nothing here throws.
// https://huggingface.co/docs/transformers/main_classes/configuration

/** What a transformers config.json says about a model. */
export interface HfConfig {
  /** `architectures[0]`, e.g. `LlamaForCausalLM`. */
  architecture?: string;
  /** `model_type`, e.g. `llama`. */
  modelType?: string;
  /** `torch_dtype` (or `dtype`, its name since transformers 4.56) without a `torch.` prefix, e.g. `bfloat16`. */
  torchDtype?: string;
  /** `max_position_embeddings` (or `n_positions`, or the same under `text_config`). */
  contextLength?: number;
}

/** The facts of a parsed config.json; anything that is not a JSON object yields `{}`. */
export function readHfConfig(json: unknown): HfConfig {
  if (!isObject(json)) return {};
  const text = isObject(json.text_config) ? json.text_config : {};
  const out: HfConfig = {};
  const architecture = Array.isArray(json.architectures) ? nonEmptyString(json.architectures[0]) : undefined;
  if (architecture) out.architecture = architecture;
  const modelType = nonEmptyString(json.model_type);
  if (modelType) out.modelType = modelType;
  const dtype = nonEmptyString(json.torch_dtype) ?? nonEmptyString(json.dtype) ?? nonEmptyString(text.torch_dtype) ?? nonEmptyString(text.dtype);
  if (dtype) out.torchDtype = dtype.replace(/^torch\./, '');
  const context = positiveInteger(json.max_position_embeddings) ?? positiveInteger(json.n_positions) ?? positiveInteger(text.max_position_embeddings);
  if (context) out.contextLength = context;
  return out;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
