// Reads what model metadata needs from a pushed model artifact: whether a manifest is one (ModelPack,
// its older CNAI names, ORMB or a KitOps ModelKit), the facts its config states (format, framework,
// architecture, size, precision, quantization) and its model card, the README doc layer of a
// ModelPack, read through the BlobStore. Small blobs only: each read stops at a size limit.
// https://github.com/modelpack/model-spec/blob/main/docs/spec.md
// https://github.com/kleveross/ormb/blob/master/docs/spec-v1alpha1.md
// https://github.com/kitops-ml/kitops/blob/main/pkg/artifact/kitfile.go
import type { BlobStore } from '../ports/blob-store.js';
import { ANNOTATION_FILEPATH, ANNOTATION_FILEPATH_CNAI, KITOPS, MODELPACK, MODELPACK_CNAI, ORMB, parseModelLayerMediaType } from '../modelpack/media-types.js';

/** Largest config or README read into memory. */
export const MAX_SMALL_BLOB = 1 << 20;

/** A manifest taken apart enough for metadata. */
export interface ModelPackManifest {
  /** Which packaging wrote it. */
  format: 'modelpack' | 'ormb' | 'kitops';
  config: { digest: string; size: number };
  /** Raw doc layers with their file paths. */
  docs: Array<{ path: string; digest: string; size: number }>;
  /** Every raw layer with its file path (ModelPack only: ORMB and KitOps layers are tars). */
  files: Array<{ path: string; digest: string; size: number }>;
}

/** Facts from a model config. */
export interface ModelPackFacts {
  format?: string | undefined;
  framework?: string | undefined;
  architecture?: string | undefined;
  paramSize?: string | undefined;
  precision?: string | undefined;
  quantization?: string | undefined;
}

/** The model view of a manifest, or null when the manifest is not a model artifact Berth knows. */
export function readModelPackManifest(content: Uint8Array): ModelPackManifest | null {
  let manifest: unknown;
  try {
    manifest = JSON.parse(Buffer.from(content).toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(manifest) || !isObject(manifest.config) || !Array.isArray(manifest.layers)) return null;
  if (typeof manifest.config.digest !== 'string') return null;
  const format = formatOf(manifest.config.mediaType, manifest.artifactType);
  if (!format) return null;
  const docs: ModelPackManifest['docs'] = [];
  const files: ModelPackManifest['files'] = [];
  for (const layer of format === 'modelpack' ? manifest.layers : []) {
    if (!isObject(layer) || typeof layer.mediaType !== 'string' || typeof layer.digest !== 'string' || typeof layer.size !== 'number') continue;
    const parsed = parseModelLayerMediaType(layer.mediaType);
    const annotations = isObject(layer.annotations) ? layer.annotations : {};
    const path = annotations[ANNOTATION_FILEPATH] ?? annotations[ANNOTATION_FILEPATH_CNAI];
    if (parsed?.packaging !== 'raw' || typeof path !== 'string') continue;
    files.push({ path, digest: layer.digest, size: layer.size });
    if (parsed.kind === 'doc') docs.push({ path, digest: layer.digest, size: layer.size });
  }
  return { format, config: { digest: manifest.config.digest, size: Number(manifest.config.size) || 0 }, docs, files };
}

function formatOf(configType: unknown, artifactType: unknown): ModelPackManifest['format'] | null {
  const modelpack: readonly unknown[] = [MODELPACK.artifactType, MODELPACK_CNAI.artifactType, MODELPACK.config, MODELPACK_CNAI.config];
  if (modelpack.includes(artifactType) || modelpack.includes(configType)) return 'modelpack';
  if (configType === ORMB.config) return 'ormb';
  if (configType === KITOPS.config) return 'kitops';
  return null;
}

/**
 * The facts a model config states, or none when it cannot be read: a ModelPack config's `config`
 * section, an ORMB ormbfile's `format` and `framework`, a KitOps Kitfile's `model.format` and
 * `model.framework`.
 */
export async function readModelPackFacts(blobs: BlobStore, manifest: ModelPackManifest): Promise<ModelPackFacts> {
  const text = await readSmallBlob(blobs, manifest.config.digest, manifest.config.size);
  if (text === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (!isObject(parsed)) return {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const section = (v: unknown) => (isObject(v) ? v : {});
  if (manifest.format === 'ormb') return { format: str(parsed.format), framework: str(parsed.framework) };
  if (manifest.format === 'kitops') {
    const model = section(parsed.model);
    return { format: str(model.format), framework: str(model.framework) };
  }
  const config = section(parsed.config);
  return { format: str(config.format), architecture: str(config.architecture), paramSize: str(config.paramSize), precision: str(config.precision), quantization: str(config.quantization) };
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
