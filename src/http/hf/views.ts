// JSON shapes of the Hub API as huggingface_hub and @huggingface/hub parse them: model info with
// siblings, and tree / paths-info entries (every file is presented as an LFS file keyed by sha256).
// See ../shared/reference/kubeai-and-hf-hub-api.md section 3.3.
import { createHash } from 'node:crypto';
import type { HubFile } from '../../core/hub/hub-repo.js';
import type { HubRevision } from '../../core/hub/hub-service.js';

/** Size of the git-lfs pointer file a real Hub would store for a file. */
const LFS_POINTER_SIZE = 134;

/** The sha256 hex of a file's blob (its LFS oid and ETag). */
export function sha256Hex(file: HubFile): string {
  return file.digest.slice(file.digest.indexOf(':') + 1);
}

/** A stable 40-hex object id for a tree entry (Berth has no git objects; clients only compare them). */
function objectId(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex');
}

/** Model info for `GET /api/models/{repo}[/revision/{rev}]`. */
export function modelInfoView(revision: HubRevision, options: { private: boolean; blobs: boolean; config?: Record<string, unknown> | undefined }) {
  const [author] = revision.repository.split('/');
  const facts = (options.config?.config ?? {}) as Record<string, unknown>;
  const descriptor = (options.config?.descriptor ?? {}) as Record<string, unknown>;
  const tags = [facts.format, facts.architecture, facts.quantization, typeof descriptor.family === 'string' ? descriptor.family : undefined].filter((t): t is string => typeof t === 'string' && t !== '');
  return {
    _id: revision.commit,
    id: revision.repository,
    modelId: revision.repository,
    author,
    sha: revision.commit,
    lastModified: revision.lastModified.toISOString(),
    createdAt: revision.lastModified.toISOString(),
    private: options.private,
    disabled: false,
    gated: false,
    downloads: 0,
    likes: 0,
    tags,
    ...(typeof facts.architecture === 'string' ? { config: { architectures: [facts.architecture], ...(typeof descriptor.family === 'string' ? { model_type: descriptor.family } : {}) } } : {}),
    siblings: revision.files.map((f) =>
      options.blobs ? { rfilename: f.path, size: f.size, blobId: objectId('blob', f.digest), lfs: { size: f.size, sha256: sha256Hex(f), pointerSize: LFS_POINTER_SIZE } } : { rfilename: f.path },
    ),
    usedStorage: revision.files.reduce((n, f) => n + f.size, 0),
  };
}

/** A tree / paths-info entry for a file. */
export function fileEntry(revision: HubRevision, file: HubFile, expand: boolean) {
  return {
    type: 'file' as const,
    oid: objectId('blob', file.digest),
    size: file.size,
    path: file.path,
    lfs: { oid: sha256Hex(file), size: file.size, pointerSize: LFS_POINTER_SIZE },
    ...(expand ? { lastCommit: lastCommit(revision) } : {}),
  };
}

/** A tree / paths-info entry for a directory. */
export function directoryEntry(revision: HubRevision, path: string, expand: boolean) {
  return { type: 'directory' as const, oid: objectId('tree', revision.commit, path), size: 0, path, ...(expand ? { lastCommit: lastCommit(revision) } : {}) };
}

function lastCommit(revision: HubRevision) {
  return { id: revision.commit, title: `berth push ${revision.digest.slice(0, 19)}`, date: revision.lastModified.toISOString() };
}
