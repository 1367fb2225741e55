// The Helm chart deploy/helm/berth rendered by a real `helm template` (helm 3; .ci/run installs it with
// deploy/tools/install-k8s-tools.sh where missing) in both modes: every object schema-valid, the same
// invariants as the kustomize overlays, the same pod as the matching overlay, and bad values refused
// by values.schema.json or the templates' own checks before anything is rendered.
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolAvailable } from '../support/tools.js';
import { parseObjects, schemaErrors, type K8sObject } from './k8s-schema.js';
import { ofKind, violations, workload, type Mode } from './invariants.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const HAVE_HELM = toolAvailable('helm', ['version']);
const HAVE_KUBECTL = toolAvailable('kubectl', ['version', '--client']);
const CHART = resolve(import.meta.dirname, '../../deploy/helm/berth');
const MODES: Mode[] = ['embedded', 'scale-out'];

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('helm', args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function template(mode: Mode, sets: string[] = [], release = 'berth'): K8sObject[] {
  const r = helm(['template', release, CHART, '--set', `mode=${mode}`, ...sets.flatMap((s) => ['--set', s])]);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseObjects(r.stdout);
}

/** What must match between the chart and the overlay of the same mode (names and labels may differ). */
function podShape(objects: K8sObject[]): Json {
  const { deployment, pod, container } = workload(objects);
  const { envFrom: _envFrom, image: _image, ...c } = container;
  return {
    config: ofKind(objects, 'ConfigMap')[0]?.data,
    replicas: deployment.spec.replicas,
    strategy: deployment.spec.strategy,
    container: c,
    securityContext: pod.securityContext,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
    enableServiceLinks: pod.enableServiceLinks,
    automountServiceAccountToken: pod.automountServiceAccountToken,
    volumes: pod.volumes.map((v: Json) => ({ ...v, persistentVolumeClaim: v.persistentVolumeClaim && 'claim' })),
    topologyKeys: (pod.topologySpreadConstraints ?? []).map((t: Json) => [t.topologyKey, t.maxSkew, t.whenUnsatisfiable]),
    prometheus: Object.entries(deployment.spec.template.metadata.annotations).filter(([k]) => k.startsWith('prometheus.io/')).sort(),
    kinds: objects.map((o) => o.kind).sort(),
    pvc: ofKind(objects, 'PersistentVolumeClaim').map((p) => p.spec),
    pdb: ofKind(objects, 'PodDisruptionBudget').map((p) => p.spec.maxUnavailable),
  };
}

describe.skipIf(!HAVE_HELM)('Helm chart deploy/helm/berth', () => {
  for (const mode of MODES) {
    it(`${mode}: passes helm lint --strict, and every rendered object is schema-valid`, async () => {
      const lint = helm(['lint', '--strict', CHART, '--set', `mode=${mode}`]);
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
      expect(await schemaErrors(template(mode))).toEqual([]);
    });

    it(`${mode}: holds the deployment invariants, under another release name too`, () => {
      expect(violations(template(mode), mode)).toEqual([]);
      const other = template(mode, [], 'models');
      expect(workload(other).deployment.metadata.name).toBe('models-berth');
      expect(violations(other, mode)).toEqual([]);
    });

    it.skipIf(!HAVE_KUBECTL)(`${mode}: renders the same pod as the kustomize overlay`, () => {
      const overlay = parseObjects(execFileSync('kubectl', ['kustomize', resolve(CHART, `../../kustomize/overlays/${mode}`)], { encoding: 'utf8' }));
      expect(podShape(template(mode))).toEqual(podShape(overlay));
    });
  }

  it('passes S3 endpoint, path style, prefix and redirect through as settings Berth accepts', async () => {
    const objects = template('scale-out', ['s3.endpoint=https://minio.example:9000', 's3.forcePathStyle=true', 's3.prefix=berth/', 's3.redirect=true', 'config.externalUrl=https://berth.example.com']);
    expect(ofKind(objects, 'ConfigMap')[0]!.data).toMatchObject({
      BERTH_S3_ENDPOINT: 'https://minio.example:9000',
      BERTH_S3_FORCE_PATH_STYLE: 'true',
      BERTH_S3_PREFIX: 'berth/',
      BERTH_S3_REDIRECT: 'true',
      BERTH_EXTERNAL_URL: 'https://berth.example.com',
    });
    expect(violations(objects, 'scale-out')).toEqual([]);
    expect(await schemaErrors(objects)).toEqual([]);
  });

  it('refuses bad values with a message naming them, rendering nothing', () => {
    const cases: Array<[string[], RegExp]> = [
      [['mode=cluster'], /mode must be one of the following: "embedded", "scale-out"/],
      [['replica=3'], /Additional property replica is not allowed/],
      [['config.logLevel=loud'], /logLevel/],
      [['mode=scale-out', 'replicas=1'], /replicas/],
      [['config.shutdownDelaySeconds=20'], /terminationGracePeriodSeconds must exceed config.shutdownDelaySeconds \+ config.shutdownGraceSeconds/],
      [['mode=scale-out', 'replicas=2', 'podDisruptionBudget.maxUnavailable=2'], /maxUnavailable must be below replicas/],
      [['s3.endpoint=minio:9000'], /endpoint/],
    ];
    for (const [sets, message] of cases) {
      const r = helm(['template', 'berth', CHART, ...sets.flatMap((s) => ['--set', s])]);
      expect(r.status, sets.join(' ')).not.toBe(0);
      expect(r.stdout, sets.join(' ')).toBe('');
      expect(r.stderr, sets.join(' ')).toMatch(message);
    }
  });
});
