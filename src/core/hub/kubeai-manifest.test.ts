// The manifest renderers' rules: names, revision pinning per engine and with a cacheProfile, the
// Secret wiring, and the options they refuse. Schema validation lives in test/hf/deploy-manifests.
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.js';
import { defaultSecretName, resourceNameFor, type DeployedVersion } from './deploy-target.js';
import { renderKServe } from './kserve-manifest.js';
import { renderKubeAIModel } from './kubeai-manifest.js';

const COMMIT = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const version = (over: Partial<DeployedVersion> = {}): DeployedVersion => ({
  repository: 'llm/tiny-llama',
  revision: 'v1',
  commit: COMMIT,
  digest: `sha256:${COMMIT}${'0'.repeat(24)}`,
  defaultCommit: COMMIT,
  private: true,
  ...over,
});
const endpoint = 'https://berth.example.com';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof RegistryError ? err.code : 'not a RegistryError';
  }
  return undefined;
}

describe('resource names', () => {
  it('derives a DNS label of at most 40 characters from the model name', () => {
    expect(resourceNameFor('llm/tiny-llama', 40)).toBe('tiny-llama');
    expect(resourceNameFor('llm/Llama_3.1.8b', 40)).toBe('llama-3-1-8b');
    expect(resourceNameFor('llm/3b-model', 40)).toBe('m-3b-model');
    const long = resourceNameFor('llm/meta-llama-3.1-70b-instruct-awq-int4-gemm-with-long-suffix', 40);
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(long).not.toBe(resourceNameFor('other/meta-llama-3.1-70b-instruct-awq-int4-gemm-with-long-suffix', 40));
  });

  it('refuses a given name that is too long or not a DNS label', () => {
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, name: 'x'.repeat(41) }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, name: 'Bad_Name' }))).toBe('INVALID');
    expect(renderKubeAIModel(version(), { endpoint, name: 'x'.repeat(40) }).manifest.metadata.name).toHaveLength(40);
  });

  it('names the default Secret after the project', () => {
    expect(defaultSecretName('llm/tiny-llama')).toBe('berth-llm');
    expect(defaultSecretName('team_a/m')).toBe('berth-team-a');
  });
});

describe('KubeAI Model', () => {
  it('serves hf://<project>/<model> from Berth, pinned with --revision=<commit>, token through envFrom', () => {
    const { manifest, warnings } = renderKubeAIModel(version(), { endpoint: `${endpoint}/`, resourceProfile: 'nvidia-gpu-l4:1', maxReplicas: 3 });
    expect(manifest.spec).toEqual({
      features: ['TextGeneration'],
      url: 'hf://llm/tiny-llama',
      engine: 'VLLM',
      resourceProfile: 'nvidia-gpu-l4:1',
      args: [`--revision=${COMMIT}`],
      env: { HF_ENDPOINT: endpoint },
      envFrom: [{ secretRef: { name: 'berth-llm' } }],
      minReplicas: 1,
      maxReplicas: 3,
      scaleDownDelaySeconds: 30,
      targetRequests: 100,
    });
    expect(manifest.metadata.annotations['berth.dev/commit']).toBe(COMMIT);
    expect(warnings).toEqual([]);
  });

  it('needs no Secret for a public project unless one is named', () => {
    expect(renderKubeAIModel(version({ private: false }), { endpoint }).manifest.spec.envFrom).toBeUndefined();
    expect(renderKubeAIModel(version({ private: false }), { endpoint, secret: 'mine' }).manifest.spec.envFrom).toEqual([{ secretRef: { name: 'mine' } }]);
  });

  it('pins Infinity the same way and picks each engine its default feature', () => {
    const infinity = renderKubeAIModel(version(), { endpoint, engine: 'Infinity' }).manifest.spec;
    expect(infinity.args).toEqual([`--revision=${COMMIT}`]);
    expect(infinity.features).toEqual(['TextEmbedding']);
    expect(renderKubeAIModel(version(), { endpoint, features: ['TextGeneration', 'Reranking'] }).manifest.spec.features).toEqual(['TextGeneration', 'Reranking']);
  });

  it('refuses engines that cannot serve this exact version without a cache profile', () => {
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, engine: 'FasterWhisper' }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, engine: 'OLlama' }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, engine: 'OLlama', cacheProfile: 'fs' }))).toBe('INVALID');
  });

  it('with a cacheProfile: only for the version main points at, without --revision, and with a warning', () => {
    expect(codeOf(() => renderKubeAIModel(version({ defaultCommit: OTHER }), { endpoint, cacheProfile: 'standard-filestore' }))).toBe('CONFLICT');
    const { manifest, warnings } = renderKubeAIModel(version(), { endpoint, cacheProfile: 'standard-filestore' });
    expect(manifest.spec.cacheProfile).toBe('standard-filestore');
    expect(manifest.spec.args).toBeUndefined();
    expect(manifest.spec.envFrom).toEqual([{ secretRef: { name: 'berth-llm' } }]);
    expect(warnings.join(' ')).toMatch(/default revision \(main\)/);
    const whisper = renderKubeAIModel(version(), { endpoint, engine: 'FasterWhisper', cacheProfile: 'fs' }).manifest.spec;
    expect(whisper.features).toEqual(['SpeechToText']);
  });

  it('keeps extra args after the pin and refuses a second revision', () => {
    expect(renderKubeAIModel(version(), { endpoint, args: ['--max-model-len=4096'] }).manifest.spec.args).toEqual([`--revision=${COMMIT}`, '--max-model-len=4096']);
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, args: [`--revision=${OTHER}`] }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, args: ['--tokenizer-revision', OTHER] }))).toBe('INVALID');
  });

  it('refuses bad options with INVALID', () => {
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, resourceProfile: 'nvidia-gpu-l4' }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, minReplicas: 3, maxReplicas: 2 }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, maxReplicas: 0 }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, minReplicas: -1 }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint: 'ftp://x' }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, secret: 'Not A Secret' }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version(), { endpoint, namespace: '-bad' }))).toBe('INVALID');
    expect(codeOf(() => renderKubeAIModel(version({ commit: 'v1' }), { endpoint }))).toBe('INVALID');
    expect(renderKubeAIModel(version(), { endpoint, minReplicas: 0 }).manifest.spec.minReplicas).toBe(0);
  });

  it('warns when HF_ENDPOINT is a loopback address pods cannot reach', () => {
    expect(renderKubeAIModel(version(), { endpoint: 'http://127.0.0.1:5050' }).warnings.join(' ')).toMatch(/loopback/);
  });
});

describe('KServe InferenceService', () => {
  it('pins the commit in storageUri and hands the Secret to the storage initializer through a ServiceAccount', () => {
    const { manifest, warnings } = renderKServe(version(), { endpoint, namespace: 'models', maxReplicas: 2 });
    const predictor = manifest.inferenceService.spec.predictor;
    expect(predictor.model.storageUri).toBe(`hf://llm/tiny-llama:${COMMIT}`);
    expect(predictor.model.modelFormat).toEqual({ name: 'huggingface' });
    expect(predictor.model.env).toEqual([
      { name: 'HF_ENDPOINT', value: endpoint },
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'berth-llm', key: 'HF_TOKEN' } } },
    ]);
    expect(predictor.serviceAccountName).toBe('tiny-llama-berth');
    expect(manifest.serviceAccount).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'tiny-llama-berth', namespace: 'models' }, secrets: [{ name: 'berth-llm' }] });
    expect(warnings.join(' ')).toMatch(/ClusterStorageContainer/);
  });

  it('has no ServiceAccount and no token for a public project', () => {
    const { manifest } = renderKServe(version({ private: false }), { endpoint });
    expect(manifest.serviceAccount).toBeUndefined();
    expect(manifest.inferenceService.spec.predictor.serviceAccountName).toBeUndefined();
    expect(manifest.inferenceService.spec.predictor.model.env).toEqual([{ name: 'HF_ENDPOINT', value: endpoint }]);
  });
});
