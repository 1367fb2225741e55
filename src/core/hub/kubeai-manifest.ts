// Renders a KubeAI `Model` (kubeai.org/v1) that serves one exact model version from Berth through
// the Hub protocol: `url: hf://<project>/<model>`, HF_ENDPOINT in `env`, the pull token from a
// Secret through `envFrom`, and the revision pinned to the version's commit id.
//
// Pinning: `hf://` has no revision syntax, so the commit goes to the engine as `--revision=<commit>`
// (vLLM, Infinity). With a cacheProfile KubeAI's loader Job runs `huggingface-cli download <repo>`
// with no revision, so it fetches the model's default revision (`main`); such a manifest is only
// rendered when `main` is that very commit now, and says so in a warning. FasterWhisper takes no
// revision, so it needs a cacheProfile; OLlama does not speak hf:// at all.
// The token is wired with `envFrom` because `spec.env` is a plain string map (no `valueFrom`).
// ../shared/reference/kubeai-and-hf-hub-api.md sections 1.2-1.6; CRD: kubeai.org_models.crd.yaml
import { RegistryError } from '../errors.js';
import { checkCommon, endpointWarnings, versionAnnotations, type DeployedVersion, type DeployOptions, type Rendered } from './deploy-target.js';

/** Engines of the Model CRD. */
export const KUBEAI_ENGINES = ['VLLM', 'Infinity', 'FasterWhisper', 'OLlama'] as const;
/** An engine of the Model CRD. */
export type KubeAIEngine = (typeof KUBEAI_ENGINES)[number];
/** Features of the Model CRD (v0.22). */
export const KUBEAI_FEATURES = ['TextGeneration', 'TextEmbedding', 'Reranking', 'SpeechToText'] as const;
/** A feature of the Model CRD. */
export type KubeAIFeature = (typeof KUBEAI_FEATURES)[number];

/** `metadata.name` of a Model is at most 40 characters (CEL rule on the CRD). */
export const KUBEAI_MAX_NAME = 40;

/** Options of a KubeAI Model. */
export interface KubeAIOptions extends DeployOptions {
  engine?: KubeAIEngine | undefined;
  features?: KubeAIFeature[] | undefined;
  /** `<profile>:<count>`, a resource profile of the KubeAI install. */
  resourceProfile?: string | undefined;
  /** A cache profile of the KubeAI install (loads the default revision, see the module header). */
  cacheProfile?: string | undefined;
  /** Extra arguments for the engine. */
  args?: string[] | undefined;
}

/** The rendered `Model` object. */
export interface KubeAIModel {
  apiVersion: 'kubeai.org/v1';
  kind: 'Model';
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    features: KubeAIFeature[];
    url: string;
    engine: KubeAIEngine;
    resourceProfile?: string;
    cacheProfile?: string;
    args?: string[];
    env: Record<string, string>;
    envFrom?: Array<{ secretRef: { name: string } }>;
    minReplicas: number;
    maxReplicas?: number;
    scaleDownDelaySeconds: number;
    targetRequests: number;
  };
}

const DEFAULT_FEATURES: Record<KubeAIEngine, KubeAIFeature[]> = {
  VLLM: ['TextGeneration'],
  Infinity: ['TextEmbedding'],
  FasterWhisper: ['SpeechToText'],
  OLlama: ['TextGeneration'],
};
/** Engines whose server accepts `--revision=<commit>` for an hf:// model. */
const PINNABLE: ReadonlySet<KubeAIEngine> = new Set(['VLLM', 'Infinity']);
const RESOURCE_PROFILE = /^[a-zA-Z0-9][a-zA-Z0-9._-]*:[0-9]+$/;
const PROFILE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Renders the KubeAI Model for `version`; throws INVALID or CONFLICT when it cannot serve exactly that version. */
export function renderKubeAIModel(version: DeployedVersion, options: KubeAIOptions): Rendered<KubeAIModel> {
  const { name, secret } = checkCommon(version, options, KUBEAI_MAX_NAME);
  const engine = options.engine ?? 'VLLM';
  if (!KUBEAI_ENGINES.includes(engine)) throw new RegistryError('INVALID', `engine must be one of ${KUBEAI_ENGINES.join(', ')}`);
  if (engine === 'OLlama') throw new RegistryError('INVALID', 'the OLlama engine loads ollama:// models, not hf:// ones; use VLLM, Infinity or FasterWhisper');
  const features = options.features ?? DEFAULT_FEATURES[engine];
  if (features.length === 0 || features.some((f) => !KUBEAI_FEATURES.includes(f))) throw new RegistryError('INVALID', `features must be some of ${KUBEAI_FEATURES.join(', ')}`);
  if (options.resourceProfile !== undefined && !RESOURCE_PROFILE.test(options.resourceProfile)) {
    throw new RegistryError('INVALID', `resourceProfile "${options.resourceProfile.slice(0, 100)}" must look like <profile>:<count>, e.g. nvidia-gpu-l4:1`);
  }
  if (options.cacheProfile !== undefined && !PROFILE_NAME.test(options.cacheProfile)) throw new RegistryError('INVALID', `cacheProfile "${options.cacheProfile.slice(0, 100)}" is not a profile name`);
  const args = [...(options.args ?? [])];
  if (args.some((a) => /^--(tokenizer-)?revision(=|$)/.test(a))) throw new RegistryError('INVALID', 'the revision is pinned by Berth; do not pass --revision in args');

  const warnings = endpointWarnings(options.endpoint);
  if (options.cacheProfile === undefined) {
    if (!PINNABLE.has(engine)) {
      throw new RegistryError('INVALID', `the ${engine} engine cannot be pinned to a revision of an hf:// model; serve it with a cacheProfile while this version is the model's default (main)`);
    }
    args.unshift(`--revision=${version.commit}`);
  } else {
    if (version.defaultCommit !== version.commit) {
      throw new RegistryError(
        'CONFLICT',
        `with a cacheProfile KubeAI's loader downloads the default revision (main) of ${version.repository}, which is ${version.defaultCommit || 'missing'} now, not ${version.commit} (${version.revision}); make this version the default (tag it latest) or drop the cacheProfile`,
      );
    }
    warnings.push(
      `cacheProfile: KubeAI's loader downloads the default revision (main) of ${version.repository} when the Model is created; it is ${version.commit} now, and the cache keeps what was loaded then (the url is immutable with a cacheProfile)`,
    );
  }

  const manifest: KubeAIModel = {
    apiVersion: 'kubeai.org/v1',
    kind: 'Model',
    metadata: {
      name,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'berth' },
      annotations: versionAnnotations(version),
    },
    spec: {
      features,
      url: `hf://${version.repository}`,
      engine,
      ...(options.resourceProfile !== undefined ? { resourceProfile: options.resourceProfile } : {}),
      ...(options.cacheProfile !== undefined ? { cacheProfile: options.cacheProfile } : {}),
      ...(args.length > 0 ? { args } : {}),
      env: { HF_ENDPOINT: options.endpoint.replace(/\/+$/, '') },
      ...(secret !== undefined ? { envFrom: [{ secretRef: { name: secret } }] } : {}),
      minReplicas: options.minReplicas ?? 1,
      ...(options.maxReplicas !== undefined ? { maxReplicas: options.maxReplicas } : {}),
      scaleDownDelaySeconds: 30,
      targetRequests: 100,
    },
  };
  return { manifest, warnings };
}
