// `npx tsx bench/policies.ts`: what tag immutability costs a manifest push. Through the core services
// on SQLite (filesystem blobs, fsync off), it pushes distinct manifests under distinct tags into a
// project with no immutability rules and into one with 10 (one of which matches every pushed tag, so
// each push also takes the immutable-tag path in the store), alternating rounds so that drift hits
// both sides alike, and prints ops/s per side and the median ratio. Also the time a usage recompute
// takes for a project of BENCH_POLICY_MANIFESTS manifests (default 2000). About 15 s.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFilesystemBlobStore } from '../src/adapters/blobs/filesystem.js';
import { openStores } from '../src/adapters/metadata/open.js';
import { MediaTypes } from '../src/core/oci/media-types.js';
import { RegistryService } from '../src/core/oci/registry.js';
import { UploadService } from '../src/core/oci/uploads.js';
import { QuotaPolicy } from '../src/core/policies/quota-policy.js';
import { TagPolicy } from '../src/core/policies/tag-policy.js';
import { systemClock } from '../src/core/ports/clock.js';
import { median } from './report.js';

const ROUNDS = Number(process.env.BENCH_RUNS ?? 9);
const PER_ROUND = Number(process.env.BENCH_POLICY_PUSHES ?? 500);
const MANIFESTS = Number(process.env.BENCH_POLICY_MANIFESTS ?? 2000);
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const dir = mkdtempSync(join(tmpdir(), 'berth-bench-policies-'));
const stores = await openStores({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
const blobs = await createFilesystemBlobStore({ root: join(dir, 'storage'), fsync: false });
try {
  const uploads = new UploadService(blobs, stores.registry, systemClock);
  const registry = new RegistryService(blobs, stores.registry, systemClock, { maxManifestBytes: 4 << 20, maxPageSize: 1000 });
  registry.usePolicies({ tags: new TagPolicy(stores.policies, systemClock), quota: new QuotaPolicy({ defaultStorageBytes: -1, warningPercent: 85 }, systemClock, async () => undefined) });
  const now = new Date();
  for (let i = 0; i < 9; i++) {
    await stores.policies.createImmutableRule({ project: 'ruled', repository: `frozen-${i}/**`, repositoryDecoration: 'matches', tag: `{release-${i}*,prod-${i}}`, tagDecoration: 'matches', disabled: false, createdBy: 'bench', createdAt: now, updatedAt: now });
  }
  await stores.policies.createImmutableRule({ project: 'ruled', repository: '**', repositoryDecoration: 'matches', tag: 't-*', tagDecoration: 'matches', disabled: false, createdBy: 'bench', createdAt: now, updatedAt: now });

  const layer = randomBytes(4096);
  const layerDigest = sha(layer);
  for (const repo of ['plain/app', 'ruled/app', 'usage/app']) {
    await uploads.putWhole(repo, layerDigest, { source: (async function* () { yield layer; })(), present: true, contentLength: layer.length });
  }
  let counter = 0;
  const push = async (repo: string) => {
    counter += 1;
    const manifest = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: layerDigest, size: layer.length }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }], annotations: { n: String(counter) } };
    await registry.putManifest(repo, `t-${counter}`, Buffer.from(JSON.stringify(manifest)), MediaTypes.ociManifest);
  };
  const rate = async (repo: string) => {
    const t = performance.now();
    for (let i = 0; i < PER_ROUND; i++) await push(repo);
    return PER_ROUND / ((performance.now() - t) / 1000);
  };

  await rate('plain/app');
  await rate('ruled/app');
  const plain: number[] = [];
  const ruled: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const got = new Map<string, number>();
    for (const repo of round % 2 === 0 ? ['plain/app', 'ruled/app'] : ['ruled/app', 'plain/app']) got.set(repo, await rate(repo));
    plain.push(got.get('plain/app')!);
    ruled.push(got.get('ruled/app')!);
    ratios.push(got.get('ruled/app')! / got.get('plain/app')!);
  }

  for (let i = 0; i < MANIFESTS; i++) await push('usage/app');
  const t = performance.now();
  const [repair] = await stores.policies.recomputeUsage('usage');
  const recomputeMs = performance.now() - t;

  const fmt = (n: number) => n.toFixed(0);
  process.stdout.write([
    '# Manifest PUT with tag immutability rules (SQLite, core services, sequential)',
    '',
    `| side | median ops/s | runs |`,
    `| --- | ---: | --- |`,
    `| 0 rules | ${fmt(median(plain))} | ${plain.map(fmt).join(', ')} |`,
    `| 10 rules | ${fmt(median(ruled))} | ${ruled.map(fmt).join(', ')} |`,
    '',
    `ratio (10 rules / 0 rules), median of per-round ratios: ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(3)).join(', ')})`,
    `usage recompute of a project with ${MANIFESTS} manifests: ${recomputeMs.toFixed(1)} ms (${repair!.after} bytes)`,
    '',
  ].join('\n'));
} finally {
  await stores.close();
  await blobs.close();
  rmSync(dir, { recursive: true, force: true });
}
