// Tells models from images by an artifact's type (its artifactType, else its config media type), for
// the repository page's Kind column.

/** What kind of artifact a manifest is. */
export type ArtifactKind = 'model' | 'image' | 'index' | 'artifact';

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

/** Classifies a manifest by its media type and artifact type (or config media type). */
export function kindOf(mediaType: string, artifactType: string | null): ArtifactKind {
  if (INDEX_TYPES.includes(mediaType)) return 'index';
  if (!artifactType) return 'artifact';
  if (/cncf\.model|kubeflow|ormb|kitops|modelkit|model\.config/i.test(artifactType)) return 'model';
  if (/image\.config|container\.image/i.test(artifactType)) return 'image';
  return 'artifact';
}
