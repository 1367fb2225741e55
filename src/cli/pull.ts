// `berth pull`: rebuild a model's file tree from a ModelPack artifact (CNCF or the older CNAI names),
// an ORMB artifact or a KitOps ModelKit. Every file is verified against its digest while it is written
// and appears under its final name only when complete; downloads run in parallel and resume.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { x as extractTar } from 'tar';
import { describeArtifact, resolveTarEntry, safeRelativePath, type ArtifactDescription, type ArtifactFile } from '../core/modelpack/read-artifact.js';
import { downloadBlob } from './blob-transfer.js';
import { mapLimit } from './parallel.js';
import type { ProgressReporter } from './progress.js';
import type { RegistryClient } from './registry/client.js';
import { manifestRef, type Reference } from './registry/reference.js';

const MAX_CONFIG_BYTES = 4 << 20;

/** Tuning of a pull. */
export interface PullOptions {
  concurrency: number;
  progress: ProgressReporter;
}

/** What a pull did. */
export interface PullResult {
  digest: string | undefined;
  format: ArtifactDescription['format'];
  files: Array<{ path: string; digest: string; size: number; outcome: string }>;
  bytesReceived: number;
}

/** Fetches and describes the artifact at `ref`: its manifest, config and files. */
export async function fetchArtifact(client: RegistryClient, ref: Reference) {
  const fetched = await client.getManifest(ref.repository, manifestRef(ref));
  let manifest: { mediaType?: string; manifests?: unknown; config?: { mediaType?: string; digest?: string; size?: number } };
  try {
    manifest = JSON.parse(fetched.bytes.toString('utf8')) as typeof manifest;
  } catch {
    throw new Error(`${ref.repository}: the registry returned a manifest that is not JSON`);
  }
  if (Array.isArray(manifest.manifests)) {
    throw new Error(`${ref.repository}:${manifestRef(ref)} is an index (a multi-platform image or a list), not a model artifact`);
  }
  let config: unknown;
  const c = manifest.config;
  if (c?.digest && (c.size ?? 0) <= MAX_CONFIG_BYTES && /json/.test(c.mediaType ?? '')) {
    const res = await client.getBlob(ref.repository, c.digest);
    try {
      config = JSON.parse(await res.text());
    } catch {
      config = undefined;
    }
  }
  return { manifest, config, digest: fetched.digest, description: describeArtifact(manifest, config) };
}

/** Pulls `ref` into `dir`. */
export async function pullModel(client: RegistryClient, ref: Reference, dir: string, options: PullOptions): Promise<PullResult> {
  const { digest, description } = await fetchArtifact(client, ref);
  if (description.format === 'image') {
    throw new Error(`${ref.repository}:${manifestRef(ref)} is a container image, not a model; pull it with skopeo, podman or docker`);
  }
  if (description.format === 'unknown') {
    throw new Error(`${ref.repository}:${manifestRef(ref)} is not a model artifact Berth can read (ModelPack, ORMB or KitOps)`);
  }
  await mkdir(dir, { recursive: true });
  const work = join(dir, '.berth');
  const files = await mapLimit(description.files, options.concurrency, async (layer) => {
    const label = layer.path || layer.digest.slice(7, 19);
    const bar = options.progress.start(label, layer.size);
    if (layer.packaging === 'raw') {
      if (!layer.path) throw new Error(`layer ${layer.digest} has no file path annotation`);
      const path = safeRelativePath(layer.path);
      const result = await downloadBlob(client, ref.repository, layer, join(dir, ...path.split('/')), bar);
      bar.finish(result.outcome === 'present' ? 'exists' : result.outcome);
      return { path, digest: layer.digest, size: layer.size, outcome: result.outcome, bytes: result.bytesReceived };
    }
    if (layer.packaging === 'tar+zstd') throw new Error(`layer ${layer.digest} is zstd-compressed, which berth pull cannot unpack yet`);
    const archive = join(work, 'blobs', layer.digest.replace(':', '-'));
    const result = await downloadBlob(client, ref.repository, layer, archive, bar);
    await unpack(archive, dir, join(work, `unpack-${layer.digest.slice(7, 23)}`), layer);
    await rm(archive, { force: true });
    bar.finish(result.outcome === 'present' ? 'exists' : 'unpacked');
    return { path: layer.path ?? '', digest: layer.digest, size: layer.size, outcome: result.outcome, bytes: result.bytesReceived };
  });
  await rm(work, { recursive: true, force: true });
  return {
    digest,
    format: description.format,
    files: files.map(({ bytes: _bytes, ...f }) => f),
    bytesReceived: files.reduce((n, f) => n + f.bytes, 0),
  };
}

/** Unpacks a verified tar (optionally gzip) into a scratch folder, then moves each file into place. */
async function unpack(archive: string, dir: string, scratch: string, layer: ArtifactFile): Promise<void> {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  await extractTar({ file: archive, cwd: scratch, strict: true });
  for (const file of await listFiles(scratch)) {
    const path = resolveTarEntry(layer, relative(scratch, file).split(sep).join('/'));
    if (path === undefined) continue;
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await rename(file, target);
  }
  await rm(scratch, { recursive: true, force: true });
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
