// Tells `berth pull` what a manifest holds and where each layer's content goes on disk, for
// every model format Berth meets in the wild: ModelPack (CNCF and older CNAI names), ORMB and
// KitOps, and says so when a reference is a plain container image (e.g. a KServe modelcar).
// Every path that comes from a manifest, a config or a tar entry passes `safeRelativePath`.
// https://github.com/modelpack/model-spec/blob/main/docs/spec.md
import {
  ANNOTATION_FILEPATH, ANNOTATION_FILEPATH_CNAI, CONTAINER_IMAGE, KITOPS, MODELPACK, MODELPACK_CNAI, ORMB,
  parseKitopsLayerMediaType, parseModelLayerMediaType,
  type KitopsLayerType, type LayerKind, type LayerPackaging,
} from './media-types.js';

/** The formats `describeArtifact` tells apart. */
export type ArtifactFormat = 'modelpack' | 'modelpack-cnai' | 'ormb' | 'kitops' | 'image' | 'unknown';

/** One layer of an artifact and where its content belongs. */
export interface ArtifactFile {
  digest: string;
  size: number;
  mediaType: string;
  packaging: LayerPackaging;
  /** Raw layers: the file's path. Tar layers: the folder to extract into, '' for the model root. */
  path?: string;
  kind?: LayerKind;
  /** The path the artifact itself gives the layer (filepath annotation or Kitfile path), for display. */
  declaredPath?: string;
  /** Tar layers whose entries all sit under one folder that is not part of the model (ORMB's `model`). */
  tarRoot?: string;
}

/** What a manifest (and its config) holds. */
export interface ArtifactDescription {
  format: ArtifactFormat;
  files: ArtifactFile[];
  config?: unknown;
}

/**
 * Checks that a path from a manifest, config or tar entry stays inside the folder it is joined
 * to, and returns it unchanged. Rejects empty paths, absolute paths, drive letters, backslashes,
 * NUL bytes, and empty, `.` or `..` segments.
 */
export function safeRelativePath(p: string): string {
  const fail = (why: string): never => {
    throw new Error(`unsafe path ${JSON.stringify(p)}: ${why}`);
  };
  if (typeof p !== 'string' || p === '') fail('it is empty');
  if (p.length > 4096) fail('it is longer than 4096 characters');
  if (p.includes('\0')) fail('it contains a NUL byte');
  if (p.includes('\\')) fail('it contains a backslash');
  if (p.startsWith('/')) fail('it is absolute');
  if (/^[A-Za-z]:/.test(p)) fail('it starts with a drive letter');
  for (const segment of p.split('/')) {
    if (segment === '') fail('it has an empty segment (a doubled or trailing "/")');
    if (segment === '..') fail('it has a ".." segment that would leave the model folder');
    if (segment === '.') fail('it has a "." segment');
  }
  return p;
}

/**
 * Describes a parsed manifest: its format and, per layer, packaging, kind and destination path.
 * `config` is the parsed config blob; KitOps needs it (it holds the Kitfile paths), the other
 * formats do not. Throws a clear Error for a malformed manifest, an index, a model layer
 * without a usable path, or a path that would escape the model folder.
 */
export function describeArtifact(manifest: unknown, config: unknown | undefined): ArtifactDescription {
  if (!isObject(manifest)) throw new Error('manifest is not a JSON object');
  if (Array.isArray(manifest.manifests) && !Array.isArray(manifest.layers)) {
    throw new Error('this reference is an image index (a list of manifests), not a single model manifest; pull one of its manifests by digest');
  }
  if (!Array.isArray(manifest.layers)) throw new Error('manifest has no "layers" array (Docker schema 1 manifests are not supported)');
  const layers = manifest.layers.map((layer, i) => readDescriptor(layer, `layer ${i}`));
  const configType = isObject(manifest.config) && typeof manifest.config.mediaType === 'string' ? manifest.config.mediaType : undefined;
  const artifactType = typeof manifest.artifactType === 'string' ? manifest.artifactType : undefined;
  const withConfig = (format: ArtifactFormat, files: ArtifactFile[]): ArtifactDescription =>
    config === undefined ? { format, files } : { format, files, config };

  if (artifactType === MODELPACK.artifactType || configType === MODELPACK.config) return withConfig('modelpack', modelPackFiles(layers));
  if (artifactType === MODELPACK_CNAI.artifactType || configType === MODELPACK_CNAI.config) return withConfig('modelpack-cnai', modelPackFiles(layers));
  if (configType === ORMB.config) return withConfig('ormb', ormbFiles(layers));
  if (configType === KITOPS.config) return withConfig('kitops', kitopsFiles(layers, config));
  const firstModelLayer = layers.map((l) => parseModelLayerMediaType(l.mediaType)).find((p) => p !== null);
  if (firstModelLayer) return withConfig(firstModelLayer.family === 'cnai' ? 'modelpack-cnai' : 'modelpack', modelPackFiles(layers));
  const imageLayers = layers.length > 0 && layers.every((l) => CONTAINER_IMAGE.layers.includes(l.mediaType) && !filepathOf(l));
  if (configType === CONTAINER_IMAGE.ociConfig || configType === CONTAINER_IMAGE.dockerConfig || imageLayers) {
    return { format: 'image', files: layers.map((l) => ({ ...base(l), packaging: imagePackaging(l.mediaType) })) };
  }
  return { format: 'unknown', files: layers.map((l) => ({ ...base(l), packaging: 'raw' as const })) };
}

/**
 * Where a tar entry of a layer lands, relative to the model root, or undefined for entries that
 * stand for the destination folder itself (`./`, ORMB's `model/`) or lie outside `tarRoot`.
 * Handles both ways ModelPack tars are written: entries named by their full relative path
 * (modctl today) and entries named by their base name (early modctl), and the old KitOps tars
 * that are extracted into their Kitfile path's folder. Throws when the result is not safe.
 */
export function resolveTarEntry(file: ArtifactFile, entryName: string): string | undefined {
  let name = entryName.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (name === '' || name === '.') return undefined;
  if (file.tarRoot !== undefined) {
    if (name === file.tarRoot || !name.startsWith(`${file.tarRoot}/`)) return undefined;
    name = name.slice(file.tarRoot.length + 1);
  }
  const folder = file.path ?? '';
  const declared = file.declaredPath;
  if (folder === '' && declared !== undefined && name !== declared && !name.startsWith(`${declared}/`) && declared.includes('/')) {
    return safeRelativePath(`${declared.slice(0, declared.lastIndexOf('/'))}/${name}`);
  }
  return safeRelativePath(folder === '' ? name : `${folder}/${name}`);
}

interface Layer {
  digest: string;
  size: number;
  mediaType: string;
  annotations: Record<string, string>;
}

function modelPackFiles(layers: Layer[]): ArtifactFile[] {
  return layers.map((layer, i) => {
    const parsed = parseModelLayerMediaType(layer.mediaType);
    if (!parsed) throw new Error(`layer ${i} (${layer.digest}) has media type ${layer.mediaType}, which is not a ModelPack layer type`);
    const declared = filepathOf(layer);
    const file: ArtifactFile = { ...base(layer), packaging: parsed.packaging, kind: parsed.kind };
    if (parsed.packaging === 'raw') {
      if (declared === undefined) throw new Error(`layer ${i} (${layer.digest}) is a raw ModelPack layer without an ${ANNOTATION_FILEPATH} annotation, so it has no file name`);
      return { ...file, path: safeRelativePath(declared), declaredPath: declared };
    }
    return declared === undefined ? { ...file, path: '' } : { ...file, path: '', declaredPath: safeRelativePath(declared) };
  });
}

/** ORMB's single layer is a gzip tar of `model/...`; the puller strips that leading `model/` (via `tarRoot`). */
function ormbFiles(layers: Layer[]): ArtifactFile[] {
  return layers.map((layer, i) => {
    if (layer.mediaType !== ORMB.layer) throw new Error(`layer ${i} (${layer.digest}) has media type ${layer.mediaType}; an ORMB model has one ${ORMB.layer} layer`);
    return { ...base(layer), packaging: 'tar+gzip', path: '', tarRoot: 'model' };
  });
}

const KITOPS_KINDS: Record<KitopsLayerType, LayerKind> = { model: 'weight', modelpart: 'weight', code: 'code', dataset: 'dataset', docs: 'doc' };

/**
 * KitOps layers map to Kitfile entries: by the `digest` KitOps writes into each entry of the
 * config, else (older ModelKits) by position within their type: model, model.parts[], code[],
 * datasets[], docs[]. Current tars name entries by their full path and extract at the root;
 * older ones extract into the folder of the entry's path.
 * https://github.com/kitops-ml/kitops/blob/main/pkg/lib/unpack/core.go
 */
function kitopsFiles(layers: Layer[], config: unknown): ArtifactFile[] {
  if (!isObject(config)) throw new Error('a KitOps ModelKit needs its config (the Kitfile) to place its layers; none was given');
  const model = isObject(config.model) ? config.model : undefined;
  const sections: Record<KitopsLayerType, Record<string, unknown>[]> = {
    model: model ? [model] : [],
    modelpart: objects(model?.parts),
    code: objects(config.code),
    dataset: objects(config.datasets),
    docs: objects(config.docs),
  };
  const next: Record<KitopsLayerType, number> = { model: 0, modelpart: 0, code: 0, dataset: 0, docs: 0 };
  return layers.map((layer, i) => {
    const parsed = parseKitopsLayerMediaType(layer.mediaType);
    if (!parsed) throw new Error(`layer ${i} (${layer.digest}) has media type ${layer.mediaType}, which is not a KitOps layer type`);
    const entries = sections[parsed.type];
    const byDigest = entries.find((e) => e.digest === layer.digest);
    const entry = byDigest ?? entries[next[parsed.type]];
    next[parsed.type] += 1;
    if (!entry) throw new Error(`layer ${i} (${layer.digest}) is a KitOps ${parsed.type} layer with no matching entry in the Kitfile`);
    const declared = kitfilePath(entry.path, `layer ${i}`);
    const file: ArtifactFile = { ...base(layer), packaging: parsed.packaging, kind: KITOPS_KINDS[parsed.type] };
    if (declared !== undefined) file.declaredPath = declared;
    if (parsed.packaging === 'raw') {
      if (declared === undefined) throw new Error(`layer ${i} (${layer.digest}) is a raw KitOps layer whose Kitfile entry has no path`);
      return { ...file, path: declared };
    }
    const folder = byDigest || declared === undefined || !declared.includes('/') ? '' : declared.slice(0, declared.lastIndexOf('/'));
    return { ...file, path: folder };
  });
}

/** A Kitfile path, `./` and `.` meaning the root (undefined); anything unsafe throws. */
function kitfilePath(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: Kitfile path is not a string`);
  const trimmed = value.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return trimmed === '' || trimmed === '.' ? undefined : safeRelativePath(trimmed);
}

function readDescriptor(value: unknown, where: string): Layer {
  if (!isObject(value)) throw new Error(`${where} is not a descriptor object`);
  const { digest, size, mediaType, annotations } = value;
  if (typeof digest !== 'string' || !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) throw new Error(`${where} has no valid digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new Error(`${where} (${digest}) has no valid size`);
  if (typeof mediaType !== 'string' || mediaType === '') throw new Error(`${where} (${digest}) has no media type`);
  const strings: Record<string, string> = {};
  if (isObject(annotations)) {
    for (const [key, v] of Object.entries(annotations)) if (typeof v === 'string') strings[key] = v;
  }
  return { digest, size, mediaType, annotations: strings };
}

function filepathOf(layer: Layer): string | undefined {
  return layer.annotations[ANNOTATION_FILEPATH] ?? layer.annotations[ANNOTATION_FILEPATH_CNAI];
}

function base(layer: Layer): Pick<ArtifactFile, 'digest' | 'size' | 'mediaType'> {
  return { digest: layer.digest, size: layer.size, mediaType: layer.mediaType };
}

function imagePackaging(mediaType: string): LayerPackaging {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'tar+gzip';
  if (mediaType.endsWith('+zstd')) return 'tar+zstd';
  return 'tar';
}

function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
