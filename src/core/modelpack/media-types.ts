// Names of the model artifact formats Berth writes (CNCF ModelPack) and reads (ModelPack under
// its older CNAI names, ORMB, KitOps). Every media type and annotation key lives here once, so a
// typo cannot make Harbor, modctl or kit skip what Berth pushed.
// https://github.com/modelpack/model-spec/blob/main/specs-go/v1/mediatype.go
// https://github.com/modelpack/model-spec/blob/main/specs-go/v1/annotations.go

/** ModelPack names from model-spec v0.0.7 on (`vnd.cncf` / `org.cncf`). */
export const MODELPACK = {
  artifactType: 'application/vnd.cncf.model.manifest.v1+json',
  config: 'application/vnd.cncf.model.config.v1+json',
} as const;

/** ModelPack names of model-spec v0.0.1 to v0.0.6 (`vnd.cnai` / `org.cnai`), still read on pull. */
export const MODELPACK_CNAI = {
  artifactType: 'application/vnd.cnai.model.manifest.v1+json',
  config: 'application/vnd.cnai.model.config.v1+json',
} as const;

/** Layer annotation holding the file's path relative to the model root (ModelPack v0.0.7+). */
export const ANNOTATION_FILEPATH = 'org.cncf.model.filepath';

/** The same annotation under the pre-v0.0.7 name. */
export const ANNOTATION_FILEPATH_CNAI = 'org.cnai.model.filepath';

/** Layer annotation holding a JSON string with the file's name, mode, uid, gid, size, mtime and typeflag. */
export const ANNOTATION_FILE_METADATA = 'org.cncf.model.file.metadata+json';

/** The same annotation under the pre-v0.0.7 name. */
export const ANNOTATION_FILE_METADATA_CNAI = 'org.cnai.model.file.metadata+json';

/** What a ModelPack layer holds: weights, files that describe the weights, docs, code or data. */
export type LayerKind = 'weight' | 'weight.config' | 'doc' | 'code' | 'dataset';

/** How a layer's bytes hold its content: the file itself, or a tar archive (maybe compressed). */
export type LayerPackaging = 'raw' | 'tar' | 'tar+gzip' | 'tar+zstd';

/** The two ModelPack naming families. */
export type ModelPackFamily = 'cncf' | 'cnai';

/** A ModelPack layer media type taken apart. */
export interface ModelLayerMediaType {
  family: ModelPackFamily;
  kind: LayerKind;
  packaging: LayerPackaging;
}

const KINDS: readonly LayerKind[] = ['weight', 'weight.config', 'doc', 'code', 'dataset'];
const PACKAGINGS: readonly LayerPackaging[] = ['raw', 'tar', 'tar+gzip', 'tar+zstd'];

/** The ModelPack (CNCF) layer media type for a kind and packaging, e.g. `application/vnd.cncf.model.weight.v1.raw`. */
export function modelLayerMediaType(kind: LayerKind, packaging: LayerPackaging = 'raw'): string {
  return `application/vnd.cncf.model.${kind}.v1.${packaging}`;
}

const MODEL_LAYER = /^application\/vnd\.(cncf|cnai)\.model\.(weight\.config|weight|doc|code|dataset)\.v1\.(raw|tar|tar\+gzip|tar\+zstd)$/;

/** Takes apart a ModelPack layer media type of either family; null for anything else. */
export function parseModelLayerMediaType(mediaType: string): ModelLayerMediaType | null {
  const m = MODEL_LAYER.exec(mediaType);
  if (!m) return null;
  const kind = KINDS.find((k) => k === m[2]);
  const packaging = PACKAGINGS.find((p) => p === m[3]);
  if (!kind || !packaging) return null;
  return { family: m[1] === 'cnai' ? 'cnai' : 'cncf', kind, packaging };
}

/**
 * ORMB (kleveross/ormb): a plain OCI manifest whose config carries the ormbfile metadata and
 * whose single layer is a gzip tar of the `model/` folder.
 * https://github.com/kleveross/ormb/blob/master/pkg/consts/consts.go
 */
export const ORMB = {
  config: 'application/vnd.caicloud.model.config.v1alpha1+json',
  layer: 'application/tar+gzip',
} as const;

/**
 * KitOps ModelKit: the config is the Kitfile as JSON; layers are typed tars.
 * https://github.com/kitops-ml/kitops/blob/main/pkg/lib/constants/mediatype/kitops.go
 */
export const KITOPS = {
  config: 'application/vnd.kitops.modelkit.config.v1+json',
} as const;

/** The section of a Kitfile a KitOps layer belongs to. */
export type KitopsLayerType = 'model' | 'modelpart' | 'code' | 'dataset' | 'docs';

/** A KitOps layer media type taken apart. */
export interface KitopsLayerMediaType {
  type: KitopsLayerType;
  packaging: LayerPackaging;
}

const KITOPS_TYPES: readonly KitopsLayerType[] = ['model', 'modelpart', 'code', 'dataset', 'docs'];

/** The KitOps layer media type for a Kitfile section, e.g. `application/vnd.kitops.modelkit.model.v1.tar+gzip`. */
export function kitopsLayerMediaType(type: KitopsLayerType, packaging: 'tar' | 'tar+gzip' = 'tar'): string {
  return `application/vnd.kitops.modelkit.${type}.v1.${packaging}`;
}

const KITOPS_LAYER = /^application\/vnd\.kitops\.modelkit\.([a-z]+)\.v1\.(raw|tar|tar\+gzip|tar\+zstd)$/;

/** Takes apart a KitOps layer media type (tar, tar+gzip, tar+zstd, or the newer raw); null for anything else. */
export function parseKitopsLayerMediaType(mediaType: string): KitopsLayerMediaType | null {
  const m = KITOPS_LAYER.exec(mediaType);
  if (!m) return null;
  const type = KITOPS_TYPES.find((t) => t === m[1]);
  const packaging = PACKAGINGS.find((p) => p === m[2]);
  return type && packaging ? { type, packaging } : null;
}

/**
 * Media types of ordinary container images (KServe modelcars are these), which Berth stores but
 * does not unpack as a model.
 * https://github.com/opencontainers/image-spec/blob/v1.1.1/media-types.md
 */
export const CONTAINER_IMAGE = {
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  layers: [
    'application/vnd.oci.image.layer.v1.tar',
    'application/vnd.oci.image.layer.v1.tar+gzip',
    'application/vnd.oci.image.layer.v1.tar+zstd',
    'application/vnd.oci.image.layer.nondistributable.v1.tar',
    'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
    'application/vnd.docker.image.rootfs.diff.tar.gzip',
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ] as readonly string[],
} as const;
