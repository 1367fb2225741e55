// Media types of the manifests Berth stores, and of the artifacts it knows by name.
// https://github.com/opencontainers/image-spec/blob/v1.1.1/media-types.md

/** OCI and Docker media types Berth recognises. */
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** Digest and size of the OCI empty JSON blob `{}`. */
export const EMPTY_JSON_DESCRIPTOR = {
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const;

/** The structural kind of a manifest media type: a single image/artifact, or an index of manifests. */
export type ManifestKind = 'image' | 'index';

const KINDS: Record<string, ManifestKind> = {
  [MediaTypes.ociManifest]: 'image',
  [MediaTypes.dockerManifest]: 'image',
  [MediaTypes.ociIndex]: 'index',
  [MediaTypes.dockerManifestList]: 'index',
};

/** The kind of a manifest media type, or undefined when Berth does not store that type. */
export function manifestKind(mediaType: string): ManifestKind | undefined {
  return KINDS[mediaType];
}

/** All manifest media types Berth accepts, for `Accept` headers. */
export const ACCEPTED_MANIFEST_TYPES: readonly string[] = Object.keys(KINDS);

/** Strips parameters (`; charset=...`) and case from a Content-Type header value. */
export function bareMediaType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const bare = contentType.split(';')[0]!.trim().toLowerCase();
  return bare === '' ? undefined : bare;
}
