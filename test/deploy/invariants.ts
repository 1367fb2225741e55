// What every rendering of Berth's deployment (kustomize overlay or Helm mode) must hold, as a list of
// violations: probes, ports, non-root, resources, shutdown timing, env names that exist in
// ENV_SETTINGS, Secrets referenced by name only, and per mode PVC vs PDB, replicas and strategy.
// The pod's environment is also loaded through Berth's own config loader, so a value it would reject
// (or a setting it no longer reads) fails here rather than in a crash-looping pod.
import { loadConfig } from '../../src/config/load.js';
import { ENV_SETTINGS } from '../../src/config/schema.js';
import type { K8sObject } from './k8s-schema.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The two ways Berth is deployed. */
export type Mode = 'embedded' | 'scale-out';

/** The Secrets and keys docs/deploy.md tells operators to create, with sample values for loading the config. */
export const DOCUMENTED_SECRETS: Record<string, string> = {
  'berth-admin/password': 'sample-admin-password',
  'berth-database/url': 'postgres://berth@postgres.example:5432/berth',
  'berth-s3/access-key-id': 'SAMPLEACCESSKEY',
  'berth-s3/secret-access-key': 'sample-secret-key',
};

/** Variables Berth reads that are not its own settings: the AWS SDK's standard credentials. */
const FOREIGN_ENV = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
/** Settings whose values must come from a Secret, never from a ConfigMap or a literal. */
const SECRET_ENV = new Set(['BERTH_ADMIN_PASSWORD', 'BERTH_DATABASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);

/** The objects of one kind. */
export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The single Deployment and its single container; throws when the rendering has another shape. */
export function workload(objects: K8sObject[]): { deployment: K8sObject; pod: Json; container: Json } {
  const deployments = ofKind(objects, 'Deployment');
  if (deployments.length !== 1) throw new Error(`expected one Deployment, got ${deployments.length}`);
  const deployment = deployments[0]!;
  const pod = deployment.spec.template.spec;
  if (pod.containers?.length !== 1) throw new Error(`expected one container, got ${pod.containers?.length}`);
  return { deployment, pod, container: pod.containers[0] };
}

/** The container's environment as Berth sees it, Secret references filled from DOCUMENTED_SECRETS. */
export function podEnv(objects: K8sObject[]): { env: Record<string, string>; problems: string[] } {
  const { container } = workload(objects);
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name;
    const cm = ofKind(objects, 'ConfigMap').find((c) => c.metadata.name === name);
    if (!cm) problems.push(`envFrom names ConfigMap ${name ?? JSON.stringify(from)}, which is not rendered`);
    for (const [k, v] of Object.entries(cm?.data ?? {})) {
      if (SECRET_ENV.has(k)) problems.push(`${k} is in ConfigMap ${name}; it must come from a Secret`);
      env[k] = String(v);
    }
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) {
      const value = DOCUMENTED_SECRETS[`${ref.name}/${ref.key}`];
      if (value === undefined) problems.push(`${e.name} reads Secret ${ref.name} key ${ref.key}, which docs/deploy.md does not describe`);
      env[e.name] = value ?? '';
    } else {
      if (SECRET_ENV.has(e.name)) problems.push(`${e.name} is set inline; it must come from a Secret`);
      env[e.name] = String(e.value ?? '');
    }
  }
  return { env, problems };
}

/** True when every matchLabels pair is among `labels`. */
function selects(selector: Json, labels: Record<string, string> | undefined): boolean {
  const match = selector?.matchLabels ?? {};
  return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels?.[k] === v);
}

/** Everything the rendered objects break for `mode`; empty when they hold. */
export function violations(objects: K8sObject[], mode: Mode): string[] {
  const out: string[] = [];
  const { deployment, pod, container } = workload(objects);
  const podLabels = deployment.spec.template.metadata?.labels as Record<string, string> | undefined;
  const port = (container.ports ?? []).find((p: Json) => p.containerPort !== undefined);
  const portOf = (ref: Json) => (typeof ref === 'number' ? ref : (container.ports ?? []).find((p: Json) => p.name === ref)?.containerPort);

  if (ofKind(objects, 'Secret').length > 0) out.push('a Secret is rendered; Secrets must be created by the operator and referenced by name');
  if (!selects(deployment.spec.selector, podLabels)) out.push('the Deployment selector does not select its pod template');
  const services = ofKind(objects, 'Service');
  if (services.length !== 1) out.push(`expected one Service, got ${services.length}`);
  for (const svc of services) {
    if (!selects({ matchLabels: svc.spec.selector }, podLabels)) out.push(`Service ${svc.metadata.name} does not select the pods`);
    for (const p of svc.spec.ports ?? []) if (portOf(p.targetPort) !== port?.containerPort) out.push(`Service port ${p.port} targets ${p.targetPort}, not the container port`);
  }
  const sa = pod.serviceAccountName;
  if (!sa || !ofKind(objects, 'ServiceAccount').some((s) => s.metadata.name === sa)) out.push(`serviceAccountName ${sa} is not rendered`);

  // Probes.
  const probe = (name: string, path: string) => {
    const p = container[name];
    if (p?.httpGet?.path !== path) out.push(`${name} must GET ${path}, has ${JSON.stringify(p?.httpGet)}`);
    else if (portOf(p.httpGet.port) !== port?.containerPort) out.push(`${name} probes port ${p.httpGet.port}, not the container port`);
  };
  probe('livenessProbe', '/healthz');
  probe('readinessProbe', '/readyz');
  if (container.startupProbe) probe('startupProbe', '/healthz');

  // Security and resources.
  const sc = { ...pod.securityContext, ...container.securityContext };
  if (sc.runAsNonRoot !== true) out.push('runAsNonRoot is not true');
  if (!Number.isInteger(sc.runAsUser) || sc.runAsUser <= 0) out.push(`runAsUser must be a non-zero numeric UID, is ${sc.runAsUser}`);
  if (container.securityContext?.readOnlyRootFilesystem !== true) out.push('readOnlyRootFilesystem is not true');
  if (container.securityContext?.allowPrivilegeEscalation !== false) out.push('allowPrivilegeEscalation is not false');
  if (!container.securityContext?.capabilities?.drop?.includes('ALL')) out.push('capabilities do not drop ALL');
  const volume = (mountPath: string) => {
    const mount = (container.volumeMounts ?? []).find((m: Json) => m.mountPath === mountPath);
    return mount && (pod.volumes ?? []).find((v: Json) => v.name === mount.name);
  };
  if (!volume('/tmp')?.emptyDir) out.push('/tmp is not an emptyDir (needed with a read-only root filesystem)');
  for (const kind of ['requests', 'limits']) {
    for (const r of ['cpu', 'memory']) if (container.resources?.[kind]?.[r] === undefined) out.push(`resources.${kind}.${r} is not set`);
  }

  // Settings: names Berth knows, values it accepts, and the ones the pod spec depends on.
  const { env, problems } = podEnv(objects);
  out.push(...problems);
  const known = new Set(ENV_SETTINGS.map((s) => s.env));
  for (const name of Object.keys(env)) if (!known.has(name) && !FOREIGN_ENV.has(name)) out.push(`env ${name} is not in ENV_SETTINGS (src/config/schema.ts)`);
  if (!('BERTH_ADMIN_PASSWORD' in env)) out.push('BERTH_ADMIN_PASSWORD is not set from a Secret');
  let config: ReturnType<typeof loadConfig> | undefined;
  try {
    config = loadConfig({}, env);
  } catch (err) {
    out.push(`Berth rejects the pod's settings: ${(err as Error).message}`);
  }
  if (config) {
    if (config.listen !== `0.0.0.0:${port?.containerPort}`) out.push(`BERTH_LISTEN is ${config.listen}, not 0.0.0.0:${port?.containerPort}`);
    if (config.data !== '/data' || !volume('/data')) out.push(`BERTH_DATA is ${config.data}; it must be /data with a volume mounted there`);
    // SIGTERM -> optional preStop sleep, the shutdown delay (serving, /readyz 503), then the drain.
    const preStop = container.lifecycle?.preStop?.exec?.command;
    const before = (preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0) + Number((config.shutdown as Json).delaySeconds ?? 0);
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    if (!(grace > config.shutdown.graceSeconds + before)) out.push(`terminationGracePeriodSeconds ${grace} is not above the drain (${config.shutdown.graceSeconds} s) plus the delay before it (${before} s)`);
    if ((config as Json).metrics?.enabled === false) out.push('BERTH_METRICS is off, yet the pods are annotated for scraping');
  }

  // Prometheus scrape annotations.
  const ann = deployment.spec.template.metadata?.annotations ?? {};
  if (ann['prometheus.io/scrape'] !== 'true' || ann['prometheus.io/path'] !== '/metrics' || Number(ann['prometheus.io/port']) !== port?.containerPort) {
    out.push(`prometheus annotations must scrape /metrics on the container port, are ${JSON.stringify(ann)}`);
  }

  // Per mode.
  const pvcs = ofKind(objects, 'PersistentVolumeClaim');
  const pdbs = ofKind(objects, 'PodDisruptionBudget');
  const claimVolumes = (pod.volumes ?? []).filter((v: Json) => v.persistentVolumeClaim);
  const replicas = deployment.spec.replicas ?? 1;
  const storage = config ? String(config.storage.driver) : undefined;
  if (mode === 'embedded') {
    if (replicas !== 1) out.push(`embedded runs one replica, has ${replicas}`);
    if (deployment.spec.strategy?.type !== 'Recreate') out.push('embedded must use the Recreate strategy');
    const claim = volume('/data')?.persistentVolumeClaim?.claimName;
    if (!claim || !pvcs.some((p) => p.metadata.name === claim)) out.push(`/data must be the rendered PVC, is ${JSON.stringify(volume('/data'))}`);
    if (pdbs.length > 0) out.push('embedded has a PodDisruptionBudget (one replica cannot satisfy it)');
    if (config && config.database.driver !== 'sqlite') out.push(`embedded database is ${config.database.driver}, not sqlite`);
    if (config && storage !== 'filesystem') out.push(`embedded storage is ${storage}, not filesystem`);
  } else {
    if (replicas < 2) out.push(`scale-out runs several replicas, has ${replicas}`);
    if (deployment.spec.strategy?.type !== 'RollingUpdate') out.push('scale-out must use the RollingUpdate strategy');
    if (pvcs.length > 0 || claimVolumes.length > 0) out.push('scale-out mounts a PVC; its replicas must be stateless');
    if (pdbs.length !== 1) out.push(`scale-out needs one PodDisruptionBudget, has ${pdbs.length}`);
    for (const pdb of pdbs) {
      if (!selects(pdb.spec.selector, podLabels)) out.push('the PodDisruptionBudget does not select the pods');
      const { maxUnavailable, minAvailable } = pdb.spec;
      const keeps = maxUnavailable !== undefined ? replicas - Number(maxUnavailable) : Number(minAvailable);
      if (!(keeps >= 1 && keeps < replicas)) out.push(`the PodDisruptionBudget keeps ${keeps} of ${replicas} replicas; it must keep some and let one go`);
    }
    const spread = (pod.topologySpreadConstraints ?? []).some((t: Json) => t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector, podLabels));
    const anti = (pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((t: Json) => selects(t.podAffinityTerm?.labelSelector, podLabels));
    if (!spread && !anti) out.push('scale-out replicas are not spread over nodes (topologySpreadConstraints or podAntiAffinity)');
    for (const name of ['BERTH_DATABASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (!(container.env ?? []).some((e: Json) => e.name === name && e.valueFrom?.secretKeyRef)) out.push(`${name} must come from a Secret`);
    }
    if (config && config.database.driver !== 'postgres') out.push(`scale-out database is ${config.database.driver}, not postgres`);
    if (config && storage !== 's3') out.push(`scale-out storage is ${storage}, not s3`);
  }
  return out;
}
