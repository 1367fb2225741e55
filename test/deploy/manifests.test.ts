// The kustomize overlays (deploy/kustomize/overlays/{embedded,scale-out}) rendered by `kubectl kustomize`,
// every object validated offline against the Kubernetes schemas (k8s-schema.ts), and the deployment
// invariants checked (invariants.ts). Each check is also shown to fail on a broken copy, so a green
// run means the rendering holds, not that the checks are blind.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolAvailable } from '../support/tools.js';
import { parseObjects, schemaErrors, type K8sObject } from './k8s-schema.js';
import { DOCUMENTED_SECRETS, ofKind, violations, workload, type Mode } from './invariants.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const HAVE_KUBECTL = toolAvailable('kubectl', ['version', '--client']);
const KUSTOMIZE = resolve(import.meta.dirname, '../../deploy/kustomize');
const MODES: Mode[] = ['embedded', 'scale-out'];

function kustomize(dir: string): K8sObject[] {
  return parseObjects(execFileSync('kubectl', ['kustomize', resolve(KUSTOMIZE, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

const rendered = new Map<Mode, K8sObject[]>();
function overlay(mode: Mode): K8sObject[] {
  if (!rendered.has(mode)) rendered.set(mode, kustomize(`overlays/${mode}`));
  return structuredClone(rendered.get(mode)!);
}

/** Applies `change` to a fresh rendering of `mode` and returns the violations. */
function broken(mode: Mode, change: (objects: K8sObject[], w: { deployment: Json; pod: Json; container: Json }) => K8sObject[] | void): string[] {
  const objects = overlay(mode);
  const result = change(objects, workload(objects)) ?? objects;
  return violations(result, mode);
}

describe.skipIf(!HAVE_KUBECTL)('kustomize overlays', () => {
  for (const mode of MODES) {
    it(`${mode}: every rendered object is valid against the Kubernetes schemas`, async () => {
      const objects = overlay(mode);
      expect(objects.map((o) => o.kind).sort()).toEqual(
        mode === 'embedded'
          ? ['ConfigMap', 'Deployment', 'PersistentVolumeClaim', 'Service', 'ServiceAccount']
          : ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount'],
      );
      expect(await schemaErrors(objects)).toEqual([]);
    });

    it(`${mode}: holds the deployment invariants`, () => {
      expect(violations(overlay(mode), mode)).toEqual([]);
    });
  }

  it('docs/deploy.md tells how to create every Secret the manifests read', () => {
    const docs = readFileSync(resolve(KUSTOMIZE, '../../docs/deploy.md'), 'utf8');
    for (const ref of Object.keys(DOCUMENTED_SECRETS)) {
      const [name, key] = ref.split('/');
      expect(docs, ref).toMatch(new RegExp(`create secret generic ${name}\\b(?:(?!create secret)[^])*?--from-literal=${key}=`));
    }
  });

  it('the base renders valid objects on its own', async () => {
    expect(await schemaErrors(kustomize('base'))).toEqual([]);
  });

  it('the schema check rejects an unknown field, a wrong type and a missing required field', async () => {
    const objects = overlay('scale-out');
    const { deployment, container } = workload(objects);
    container.readinesProbe = container.readinessProbe;
    deployment.spec.replicas = 'three';
    delete ofKind(objects, 'Service')[0]!.spec.ports[0].port;
    const errors = (await schemaErrors(objects)).join('\n');
    expect(errors).toMatch(/readinesProbe/);
    expect(errors).toMatch(/replicas must be integer/);
    expect(errors).toMatch(/Service\/berth: .*port/);
  });

  it('the invariants fail on each broken promise', () => {
    const cases: Array<[Mode, RegExp, Parameters<typeof broken>[1]]> = [
      ['embedded', /readinessProbe must GET \/readyz/, (_, w) => void delete w.container.readinessProbe],
      ['scale-out', /livenessProbe probes port 8080/, (_, w) => void (w.container.livenessProbe.httpGet.port = 8080)],
      ['embedded', /env BERTH_LOGLEVEL is not in ENV_SETTINGS/, (o) => {
        const cm = ofKind(o, 'ConfigMap')[0]!;
        cm.data.BERTH_LOGLEVEL = cm.data.BERTH_LOG_LEVEL;
      }],
      ['embedded', /Berth rejects the pod's settings: .*listen: must be HOST:PORT/s, (o) => void (ofKind(o, 'ConfigMap')[0]!.data.BERTH_LISTEN = '0.0.0.0')],
      ['scale-out', /BERTH_LISTEN is 127\.0\.0\.1:5050/, (o) => void (ofKind(o, 'ConfigMap')[0]!.data.BERTH_LISTEN = '127.0.0.1:5050')],
      ['scale-out', /runAsUser must be a non-zero numeric UID/, (_, w) => void (w.pod.securityContext.runAsUser = 0)],
      ['embedded', /readOnlyRootFilesystem/, (_, w) => void (w.container.securityContext.readOnlyRootFilesystem = false)],
      ['scale-out', /resources.limits.memory/, (_, w) => void delete w.container.resources.limits.memory],
      ['embedded', /terminationGracePeriodSeconds 35 is not above the drain \(30 s\) plus the delay before it \(5 s\)/, (_, w) => void (w.pod.terminationGracePeriodSeconds = 35)],
      ['scale-out', /BERTH_METRICS is off/, (o) => void (ofKind(o, 'ConfigMap')[0]!.data.BERTH_METRICS = 'false')],
      ['scale-out', /prometheus annotations/, (_, w) => void (w.deployment.spec.template.metadata.annotations['prometheus.io/port'] = '9090')],
      ['scale-out', /BERTH_DATABASE_URL is set inline/, (_, w) => {
        w.container.env = w.container.env.map((e: Json) => (e.name === 'BERTH_DATABASE_URL' ? { name: e.name, value: 'postgres://u:p@db/berth' } : e));
      }],
      ['scale-out', /reads Secret berth-s3 key secret-key/, (_, w) => {
        w.container.env.find((e: Json) => e.name === 'AWS_SECRET_ACCESS_KEY').valueFrom.secretKeyRef.key = 'secret-key';
      }],
      ['embedded', /a Secret is rendered/, (o) => [...o, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'berth-admin' }, stringData: { password: 'x' } }]],
      ['embedded', /embedded runs one replica/, (_, w) => void (w.deployment.spec.replicas = 2)],
      ['embedded', /Recreate/, (_, w) => void (w.deployment.spec.strategy = { type: 'RollingUpdate' })],
      ['embedded', /embedded has a PodDisruptionBudget/, (o) => [...o, ...ofKind(overlay('scale-out'), 'PodDisruptionBudget')]],
      ['embedded', /\/data must be the rendered PVC/, (_, w) => void (w.pod.volumes.find((v: Json) => v.name === 'data').persistentVolumeClaim.claimName = 'other')],
      ['scale-out', /scale-out mounts a PVC/, (o) => [...o, ...ofKind(overlay('embedded'), 'PersistentVolumeClaim')]],
      ['scale-out', /scale-out needs one PodDisruptionBudget/, (o) => o.filter((x) => x.kind !== 'PodDisruptionBudget')],
      ['scale-out', /keeps 0 of 3 replicas/, (o) => void (ofKind(o, 'PodDisruptionBudget')[0]!.spec.maxUnavailable = 3)],
      ['scale-out', /not spread over nodes/, (_, w) => {
        delete w.pod.topologySpreadConstraints;
        delete w.pod.affinity;
      }],
      ['scale-out', /scale-out database is sqlite/, (_, w) => void (w.container.env = w.container.env.filter((e: Json) => e.name !== 'BERTH_DATABASE_URL'))],
      ['scale-out', /Berth rejects the pod's settings: invalid configuration:\n {2}storage: Unrecognized keys: "bucket"/, (o) => void delete ofKind(o, 'ConfigMap')[0]!.data.BERTH_STORAGE],
    ];
    for (const [mode, expected, change] of cases) {
      expect(broken(mode, change).join('\n'), `${mode}: ${expected}`).toMatch(expected);
    }
  });
});
