// Renders a KServe `InferenceService` (serving.kserve.io/v1beta1) for one exact model version in
// Berth: `storageUri: hf://<project>/<model>:<commit>` (KServe's storage initializer passes the part
// after `:` to snapshot_download as the revision), HF_ENDPOINT and HF_TOKEN on the predictor.
//
// KServe's storage initializer is an init container that does not inherit the predictor's env: it
// gets HF_TOKEN from a Secret with an `HF_TOKEN` key listed on the pod's ServiceAccount, and
// HF_ENDPOINT only from the ClusterStorageContainer that serves `hf://` (cluster-wide). So with a
// Secret the output also holds a ServiceAccount, and a warning names the HF_ENDPOINT step.
// ../shared/reference/kubeai-and-hf-hub-api.md section 4; kserve pkg/credentials/hf/hf_secret.go,
// python/storage/kserve_storage/kserve_storage.py `_download_hf`.
import { checkCommon, endpointWarnings, versionAnnotations, type DeployedVersion, type DeployOptions, type Rendered } from './deploy-target.js';

/** InferenceService names must leave room for the `-predictor` suffixes KServe adds. */
export const KSERVE_MAX_NAME = 40;

/** Options of a KServe InferenceService. */
export interface KServeOptions extends DeployOptions {
  /** `spec.predictor.model.modelFormat.name`; default `huggingface` (KServe's Hugging Face runtime). */
  modelFormat?: string | undefined;
}

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/** The rendered InferenceService. */
export interface InferenceService {
  apiVersion: 'serving.kserve.io/v1beta1';
  kind: 'InferenceService';
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    predictor: {
      minReplicas: number;
      maxReplicas?: number;
      serviceAccountName?: string;
      model: {
        modelFormat: { name: string };
        storageUri: string;
        args: string[];
        env: EnvVar[];
      };
    };
  };
}

/** The ServiceAccount that hands the Secret to KServe's storage initializer. */
export interface ServiceAccount {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  secrets: Array<{ name: string }>;
}

/** Renders the InferenceService (and, with a Secret, its ServiceAccount) for `version`. */
export function renderKServe(version: DeployedVersion, options: KServeOptions): Rendered<{ inferenceService: InferenceService; serviceAccount?: ServiceAccount }> {
  const { name, secret } = checkCommon(version, options, KSERVE_MAX_NAME);
  const namespace = options.namespace !== undefined ? { namespace: options.namespace } : {};
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'berth' };
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const env: EnvVar[] = [{ name: 'HF_ENDPOINT', value: endpoint }];
  if (secret !== undefined) env.push({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: secret, key: 'HF_TOKEN' } } });
  const serviceAccountName = secret !== undefined ? `${name}-berth` : undefined;
  const inferenceService: InferenceService = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name, ...namespace, labels, annotations: versionAnnotations(version) },
    spec: {
      predictor: {
        minReplicas: options.minReplicas ?? 1,
        ...(options.maxReplicas !== undefined ? { maxReplicas: options.maxReplicas } : {}),
        ...(serviceAccountName !== undefined ? { serviceAccountName } : {}),
        model: {
          modelFormat: { name: options.modelFormat ?? 'huggingface' },
          storageUri: `hf://${version.repository}:${version.commit}`,
          args: [`--model_name=${name}`],
          env,
        },
      },
    },
  };
  const warnings = [
    ...endpointWarnings(endpoint),
    `KServe's storage initializer does not see the predictor's env: set HF_ENDPOINT=${endpoint} on the ClusterStorageContainer that serves hf:// for it to download from Berth`,
  ];
  if (serviceAccountName === undefined || secret === undefined) return { manifest: { inferenceService }, warnings };
  const serviceAccount: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccountName, ...namespace, labels }, secrets: [{ name: secret }] };
  return { manifest: { inferenceService, serviceAccount }, warnings };
}
