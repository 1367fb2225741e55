// Reads what model metadata needs from a pushed ModelPack artifact: whether a manifest is one, its
// config (format, architecture, size, precision, quantization) and its model card, the README doc
// layer, read through the BlobStore. Small blobs only: each read stops at a size limit.
// https://github.com/modelpack/model-spec/blob/main/docs/spec.md
import type { BlobStore } from '../ports/blob-store.js';
import { ANNOTATION_FILEPATH, ANNOTATION_FILEPATH_CNAI, MODELPACK, MODELPACK_CNAI, parseModelLayerMediaType } from '../modelpack/media-types.js';

/** Largest config or README read into memory. */
export const MAX_SMALL_BLOB = 1 << 20;

/** A manifest taken apart enough for metadata. */
export interface ModelPackManifest {
  config: { digest: string; size: number };
  /** Raw doc layers with their file paths. */
  docs: Array<{ path: string; digest: string; size: number }>;
}

/** Facts from a ModelPack config. */
export interface ModelPackFacts {
  format?: string | undefined;
  architecture?: string | undefined;
  paramSize?: string | undefined;
  precision?: string | undefined;
  quantization?: string | undefined;
}

/** The ModelPack view of a manifest, or null when the manifest is not a ModelPack model. */
export function readModelPackManifest(content: Uint8Array): ModelPackManifest | null {
  let manifest: unknown;
  try {
    manifest = JSON.parse(Buffer.from(content).toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(manifest) || !isObject(manifest.config) || !Array.isArray(manifest.layers)) return null;
  const configType = manifest.config.mediaType;
  const artifactType = manifest.artifactType;
  const types: readonly unknown[] = [MODELPACK.artifactType, MODELPACK_CNAI.artifactType, MODELPACK.config, MODELPACK_CNAI.config];
  const isModelPack = types.includes(artifactType) || types.includes(configType);
  if (!isModelPack || typeof manifest.config.digest !== 'string') return null;
  const docs: ModelPackManifest['docs'] = [];
  for (const layer of manifest.layers) {
    if (!isObject(layer) || typeof layer.mediaType !== 'string' || typeof layer.digest !== 'string' || typeof layer.size !== 'number') continue;
    const parsed = parseModelLayerMediaType(layer.mediaType);
    const annotations = isObject(layer.annotations) ? layer.annotations : {};
    const path = annotations[ANNOTATION_FILEPATH] ?? annotations[ANNOTATION_FILEPATH_CNAI];
    if (parsed?.kind === 'doc' && parsed.packaging === 'raw' && typeof path === 'string') docs.push({ path, digest: layer.digest, size: layer.size });
  }
  return { config: { digest: manifest.config.digest, size: Number(manifest.config.size) || 0 }, docs };
}

/** The facts a ModelPack config states (`config` section), or none when it cannot be read. */
export async function readModelPackFacts(blobs: BlobStore, manifest: ModelPackManifest): Promise<ModelPackFacts> {
  const text = await readSmallBlob(blobs, manifest.config.digest, manifest.config.size);
  if (text === null) return {};
  try {
    const config = (JSON.parse(text) as { config?: Record<string, unknown> }).config ?? {};
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return { format: str(config.format), architecture: str(config.architecture), paramSize: str(config.paramSize), precision: str(config.precision), quantization: str(config.quantization) };
  } catch {
    return {};
  }
}

/** The model card: the README doc layer closest to the model root, as text; null when there is none. */
export async function readModelCard(blobs: BlobStore, manifest: ModelPackManifest): Promise<{ path: string; digest: string; text: string } | null> {
  const readmes = manifest.docs
    .filter((d) => /^readme(\.md|\.markdown|\.txt)?$/i.test(d.path.split('/').pop() ?? ''))
    .sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path));
  const readme = readmes[0];
  if (!readme) return null;
  const text = await readSmallBlob(blobs, readme.digest, readme.size);
  return text === null ? null : { path: readme.path, digest: readme.digest, text };
}

/** A blob's bytes as UTF-8 text, or null when it is missing or larger than MAX_SMALL_BLOB. */
async function readSmallBlob(blobs: BlobStore, digest: string, declared: number): Promise<string | null> {
  if (declared > MAX_SMALL_BLOB) return null;
  const size = await blobs.stat(digest);
  if (size === null || size > MAX_SMALL_BLOB) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of await blobs.read(digest)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
