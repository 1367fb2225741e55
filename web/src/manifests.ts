// Reads what the repository page shows about a tag from its manifest: digest, media type, artifact
// type, total size, and whether it is a model (ModelPack, ORMB, KitOps) or an image.
import { call, repositoryPath } from './api.js';

/** Manifest media types the UI asks for. */
const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** What a tag points at. */
export interface TagInfo {
  tag: string;
  digest: string | null;
  mediaType: string;
  /** The artifact type, else the config's media type (index: null). */
  artifactType: string | null;
  kind: 'model' | 'image' | 'index' | 'artifact';
  /** Config plus layers, in bytes (index: null). */
  size: number | null;
}

interface Descriptor {
  mediaType?: string;
  size?: number;
}

/** Reads the manifest `tag` of `repository`. */
export async function tagInfo(repository: string, tag: string): Promise<TagInfo> {
  const res = await call(`${repositoryPath(repository)}/manifests/${encodeURIComponent(tag)}`, { headers: { accept: ACCEPT } });
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const digest = res.headers.get('docker-content-digest');
  const body = (await res.json()) as { mediaType?: string; artifactType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  if (Array.isArray(body.manifests)) return { tag, digest, mediaType: mediaType || body.mediaType || '', artifactType: body.artifactType ?? null, kind: 'index', size: null };
  const artifactType = body.artifactType ?? body.config?.mediaType ?? null;
  const size = [body.config, ...(body.layers ?? [])].reduce((sum, d) => sum + (typeof d?.size === 'number' ? d.size : 0), 0);
  return { tag, digest, mediaType: mediaType || body.mediaType || '', artifactType, kind: kindOf(artifactType), size };
}

/** Classifies an artifact type (or config media type). */
export function kindOf(artifactType: string | null): TagInfo['kind'] {
  if (!artifactType) return 'artifact';
  if (/cncf\.model|kubeflow|ormb|kitops|modelkit|model\.config/i.test(artifactType)) return 'model';
  if (/image\.config|container\.image/i.test(artifactType)) return 'image';
  return 'artifact';
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order. */
export async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  });
  await Promise.all(runners);
  return out;
}
