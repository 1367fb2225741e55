// The Hugging Face view of a model: repo id `<project>/<model>` is the OCI repository, revisions are
// tags, aliases or 40-hex commit ids (the first 40 hex digits of the manifest digest), and the files
// are the raw layers of its ModelPack manifest, served from the very same blobs.
// https://huggingface.co/docs/hub/api (and ../shared/reference/kubeai-and-hf-hub-api.md section 3)
import { describeArtifact } from '../modelpack/read-artifact.js';

/** One file of a model revision. */
export interface HubFile {
  path: string;
  /** The blob digest (`sha256:<hex>`), which is also the file's LFS oid and ETag. */
  digest: string;
  size: number;
}

/** A directory implied by file paths. */
export interface HubDirectory {
  path: string;
}

/** The commit id clients see for a manifest digest: 40 lowercase hex digits, as git sha1s look. */
export function commitIdOf(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 41);
}

/** True for a revision that names a commit (40 lowercase hex). */
export function isCommitId(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** True when a repository name can be a Hub repo id (`org/name`). */
export function isHubRepoId(repository: string): boolean {
  return /^[^/]+\/[^/]+$/.test(repository);
}

/** The files of a model manifest (raw ModelPack layers with paths); empty for anything else. */
export function filesOfManifest(content: Uint8Array): HubFile[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(Buffer.from(content).toString('utf8'));
  } catch {
    return [];
  }
  try {
    const description = describeArtifact(manifest, undefined);
    if (description.format !== 'modelpack' && description.format !== 'modelpack-cnai') return [];
    return description.files.filter((f) => f.packaging === 'raw' && f.path).map((f) => ({ path: f.path!, digest: f.digest, size: f.size }));
  } catch {
    return [];
  }
}

/** The directories that contain `files`, each once, sorted. */
export function directoriesOf(files: readonly HubFile[]): HubDirectory[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort().map((path) => ({ path }));
}

/** Entries directly in (or, recursively, under) `folder` ('' for the root), directories first then files, by path. */
export function listFolder(files: readonly HubFile[], folder: string, recursive: boolean): Array<{ type: 'file'; file: HubFile } | { type: 'directory'; path: string }> {
  const prefix = folder === '' ? '' : `${folder}/`;
  const inside = (path: string) => path.startsWith(prefix) && (recursive || !path.slice(prefix.length).includes('/'));
  const dirs = directoriesOf(files).filter((d) => inside(d.path));
  const plain = files.filter((f) => inside(f.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
  return [...dirs.map((d) => ({ type: 'directory' as const, path: d.path })), ...plain.map((file) => ({ type: 'file' as const, file }))];
}
