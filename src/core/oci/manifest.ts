// Manifest parsing and validation: what a pushed manifest references, what it is about (`subject`),
// and what the referrers API reports for it. Bytes are never re-serialised; only read.
// https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests
import { RegistryError } from '../errors.js';
import { parseDigest } from './digest.js';
import { bareMediaType, manifestKind, MediaTypes, type ManifestKind } from './media-types.js';

/** A content descriptor as found inside a manifest. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  artifactType?: string;
  data?: string;
  platform?: unknown;
}

/** A reference from a manifest to content that must exist in the same repository. */
export interface ManifestReference {
  digest: string;
  /** `blob` for configs and layers, `manifest` for the children of an index. */
  kind: 'blob' | 'manifest';
}

/** What Berth keeps about a validated manifest besides its exact bytes. */
export interface ParsedManifest {
  mediaType: string;
  kind: ManifestKind;
  /** Content that must already be in the repository. */
  references: ManifestReference[];
  /** Digest of the manifest this one refers to, if any (`subject`). */
  subject?: string;
  /** `artifactType`, or for an image manifest its config media type, as the referrers API reports it. */
  artifactType?: string;
  annotations?: Record<string, string>;
  configMediaType?: string;
}

const NON_DISTRIBUTABLE = /(?:nondistributable|foreign)/;

/**
 * Validates manifest bytes pushed with `contentType`, throwing MANIFEST_INVALID with the reason.
 * The Content-Type decides the kind when the document has no `mediaType` (as KitOps pushes).
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (!isObject(doc)) throw invalid('manifest must be a JSON object');
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const header = bareMediaType(contentType);
  if (declared === MediaTypes.dockerSchema1 || declared === MediaTypes.dockerSchema1Signed || doc.schemaVersion === 1) {
    throw invalid('Docker schema1 manifests are not supported');
  }
  if (declared !== undefined && header !== undefined && header !== declared && manifestKind(header) !== undefined) {
    throw invalid(`Content-Type "${header}" does not match the manifest mediaType "${declared}"`);
  }
  const mediaType = declared ?? (header && manifestKind(header) ? header : guessType(doc));
  const kind = manifestKind(mediaType);
  if (!kind) throw invalid(`unsupported manifest media type "${mediaType.slice(0, 128)}"`);
  if (doc.schemaVersion !== 2) throw invalid('schemaVersion must be 2');

  const parsed: ParsedManifest = { mediaType, kind, references: [] };
  if (kind === 'image') {
    const config = descriptor(doc.config, 'config');
    if (!config) throw invalid('image manifest has no config descriptor');
    if (doc.layers !== undefined && !Array.isArray(doc.layers)) throw invalid('layers must be an array');
    const layers = ((doc.layers as unknown[] | undefined) ?? []).map((l, i) => descriptor(l, `layers[${i}]`)!);
    parsed.configMediaType = config.mediaType;
    parsed.references.push({ digest: config.digest, kind: 'blob' });
    for (const layer of layers) {
      if (layer.urls?.length || NON_DISTRIBUTABLE.test(layer.mediaType)) continue;
      parsed.references.push({ digest: layer.digest, kind: 'blob' });
    }
    parsed.artifactType = stringField(doc, 'artifactType') ?? config.mediaType;
  } else {
    if (!Array.isArray(doc.manifests)) throw invalid('index has no manifests array');
    const children = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`)!);
    for (const child of children) parsed.references.push({ digest: child.digest, kind: 'manifest' });
    const artifactType = stringField(doc, 'artifactType');
    if (artifactType) parsed.artifactType = artifactType;
  }
  if (doc.subject !== undefined) parsed.subject = descriptor(doc.subject, 'subject')!.digest;
  if (doc.annotations !== undefined) {
    if (!isStringMap(doc.annotations)) throw invalid('annotations must map strings to strings');
    parsed.annotations = doc.annotations;
  }
  return parsed;
}

function descriptor(value: unknown, where: string): Descriptor | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw invalid(`${where} must be a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${where}.mediaType is required`);
  if (typeof digest !== 'string') throw invalid(`${where}.digest is required`);
  try {
    parseDigest(digest);
  } catch {
    throw invalid(`${where}.digest "${digest.slice(0, 80)}" is not a valid digest`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${where}.size must be a non-negative integer`);
  if (value.annotations !== undefined && !isStringMap(value.annotations)) throw invalid(`${where}.annotations must map strings to strings`);
  return value as unknown as Descriptor;
}

function guessType(doc: Record<string, unknown>): string {
  return Array.isArray(doc.manifests) ? MediaTypes.ociIndex : MediaTypes.ociManifest;
}

function stringField(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return isObject(v) && Object.values(v).every((x) => typeof x === 'string');
}

function invalid(message: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', message);
}
