// `berth push`: package a model directory as a CNCF ModelPack artifact (one raw layer per file, a
// config filled from the files) and upload it with bounded parallelism, skipping what the registry
// already has and resuming interrupted uploads.
import { createHash } from 'node:crypto';
import { buildModelConfig, buildModelManifest } from '../core/modelpack/model-config.js';
import { modelLayerMediaType } from '../core/modelpack/media-types.js';
import { digestFile, uploadBlob, type UploadOutcome } from './blob-transfer.js';
import { readModelFacts, scanModel } from './model-dir.js';
import { mapLimit } from './parallel.js';
import type { ProgressReporter } from './progress.js';
import type { RegistryClient } from './registry/client.js';
import type { Reference } from './registry/reference.js';

/** Tuning of a push. */
export interface PushOptions {
  concurrency: number;
  chunkSize: number;
  progress: ProgressReporter;
}

/** What a push did, per file and as a whole. */
export interface PushResult {
  reference: string;
  digest: string;
  config: unknown;
  files: Array<{ path: string; digest: string; size: number; mediaType: string; outcome: UploadOutcome; bytesSent: number }>;
  bytesSent: number;
}

/** Pushes `source` (a directory or one file) to `ref`. */
export async function pushModel(client: RegistryClient, source: string, ref: Reference, options: PushOptions): Promise<PushResult> {
  const files = await scanModel(source);
  const facts = await readModelFacts(files);
  // Each worker hashes a file and sends it at once, so one file's hashing overlaps another's upload.
  const bySize = [...files].sort((a, b) => b.size - a.size);
  const uploaded = await mapLimit(bySize, options.concurrency, async (f) => {
    const blob = { ...f, digest: await digestFile(f.file), mediaType: modelLayerMediaType(f.kind) };
    const bar = options.progress.start(f.path, f.size);
    const result = await uploadBlob(client, ref.repository, blob, { chunkSize: options.chunkSize, progress: bar });
    bar.finish(result.outcome === 'present' ? 'exists' : result.outcome);
    return { path: f.path, digest: blob.digest, size: f.size, mediaType: blob.mediaType, kind: f.kind, ...result };
  });
  const hashed = files.map((f) => uploaded.find((u) => u.path === f.path)!);

  const createdAt = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : new Date();
  const config = buildModelConfig({
    name: ref.repository.slice(ref.repository.indexOf('/') + 1),
    version: ref.tag,
    createdAt,
    layers: hashed.map((f) => ({ digest: f.digest, kind: f.kind, path: f.path })),
    facts,
  });
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  if ((await client.blobSize(ref.repository, configDigest)) === null) {
    const started = await client.startUpload(ref.repository);
    if (!started.mounted) await client.finishUpload(ref.repository, started.location, configDigest, () => configBytes);
  }

  const manifest = buildModelManifest(
    { digest: configDigest, size: configBytes.length },
    hashed.map((f) => ({ digest: f.digest, size: f.size, mediaType: f.mediaType, path: f.path })),
  );
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const digest = `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`;
  await client.putManifest(ref.repository, ref.tag ?? digest, manifestBytes, manifest.mediaType);
  return {
    reference: `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}@${digest}`,
    digest,
    config,
    files: hashed.map(({ kind: _kind, ...f }) => f),
    bytesSent: hashed.reduce((n, f) => n + f.bytesSent, 0),
  };
}
