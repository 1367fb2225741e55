// The ModelPack artifact of a set of files, built with the same core functions `berth push` uses (one
// raw layer per file, media type by file kind, path annotation, ModelPack config), and written as an
// OCI image layout whose blobs are hard links to the model's files, so skopeo can push the very bytes
// `berth push` reads without a copy.
// https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md
import { createHash } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyFile } from '../src/core/modelpack/classify.js';
import { modelLayerMediaType } from '../src/core/modelpack/media-types.js';
import { buildModelConfig, buildModelManifest } from '../src/core/modelpack/model-config.js';

/** A file to become one layer. */
export interface LayerFile {
  path: string;
  size: number;
  digest: string;
}

/** A manifest and its config, as bytes with their digests. */
export interface ModelArtifact {
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestDigest: string;
  mediaType: string;
}

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The ModelPack manifest and config of `files` (in the given order) for model `name`, version `tag`. */
export function modelPackArtifact(name: string, tag: string, files: LayerFile[]): ModelArtifact {
  const layers = files.map((f) => ({ ...f, kind: classifyFile(f.path) }));
  const config = Buffer.from(JSON.stringify(buildModelConfig({ name, version: tag, createdAt: new Date(), layers, facts: {} })));
  const configDigest = digestOf(config);
  const manifestObject = buildModelManifest(
    { digest: configDigest, size: config.length },
    layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: modelLayerMediaType(l.kind), path: l.path })),
  );
  const manifest = Buffer.from(JSON.stringify(manifestObject));
  return { config, configDigest, manifest, manifestDigest: digestOf(manifest), mediaType: manifestObject.mediaType };
}

/** (Re)writes an OCI image layout at `dir` holding the artifact of `files` under `tag`; layer blobs are hard links. */
export async function writeModelLayout(dir: string, name: string, tag: string, files: Array<LayerFile & { file: string }>): Promise<ModelArtifact> {
  await rm(dir, { recursive: true, force: true });
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const blobPath = (digest: string) => join(blobs, digest.slice('sha256:'.length));
  for (const f of files) {
    await link(f.file, blobPath(f.digest)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  const artifact = modelPackArtifact(name, tag, files);
  await writeFile(blobPath(artifact.configDigest), artifact.config);
  await writeFile(blobPath(artifact.manifestDigest), artifact.manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: artifact.mediaType, digest: artifact.manifestDigest, size: artifact.manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  return artifact;
}
