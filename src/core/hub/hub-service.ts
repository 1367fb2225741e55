// Resolves Hub repo ids and revisions to manifests and files, on top of the OCI index and the blob
// store: the Hugging Face surface is a projection of what `berth push` stored, not a copy.
import { RegistryError } from '../errors.js';
import type { BlobReader, BlobStore } from '../ports/blob-store.js';
import type { RegistryStore, StoredManifest } from '../ports/registry-store.js';
import { commitIdOf, filesOfManifest, isCommitId, isHubRepoId, type HubFile } from './hub-repo.js';
import type { PullGate } from '../oci/registry.js';

/** Looks up where a named alias (production, staging, ...) of a model points; null when unknown. */
export type AliasResolver = (repository: string, alias: string) => Promise<string | null>;

/** A resolved revision of a model. */
export interface HubRevision {
  repository: string;
  digest: string;
  commit: string;
  lastModified: Date;
  files: HubFile[];
  /** The ModelPack config descriptor of the manifest, if any. */
  configDigest?: string | undefined;
}

const DEFAULT_TAGS = ['latest', 'main'];
const FILE_CACHE_LIMIT = 2000;

/** The Hub view over the registry. */
export class HubService {
  private readonly filesByDigest = new Map<string, { files: HubFile[]; configDigest?: string | undefined }>();
  private aliases: AliasResolver | undefined;
  private gate: PullGate | undefined;

  constructor(
    private readonly store: RegistryStore,
    private readonly blobs: BlobStore,
  ) {}

  /** Lets revisions name aliases kept by the model metadata service. */
  useAliases(resolver: AliasResolver): void {
    this.aliases = resolver;
  }

  /** Asks `gate` before any revision is served (the same gate as OCI manifest pulls). */
  gatePulls(gate: PullGate): void {
    this.gate = gate;
  }

  /** Throws REPO_NOT_FOUND unless `repository` is a Hub-shaped repo that exists. */
  async requireRepo(repository: string): Promise<void> {
    if (!isHubRepoId(repository) || !(await this.store.repositoryExists(repository))) throw repoNotFound(repository);
  }

  /** Resolves a revision (`main`/`HEAD`, a tag, an alias or a commit id) of `repository`. */
  async resolve(repository: string, revision: string | undefined): Promise<HubRevision> {
    await this.requireRepo(repository);
    const digest = await this.digestFor(repository, revision ?? 'main');
    const manifest = await this.store.getManifest(repository, digest);
    if (!manifest) throw revisionNotFound(repository, revision ?? 'main');
    await this.gate?.(repository, digest);
    const { files, configDigest } = this.filesOf(manifest);
    return { repository, digest, commit: commitIdOf(digest), lastModified: manifest.createdAt, files, configDigest };
  }

  /** A file of a revision; ENTRY_NOT_FOUND (carrying the commit id) when absent. */
  file(revision: HubRevision, path: string): HubFile {
    const file = revision.files.find((f) => f.path === path);
    if (!file) throw new RegistryError('ENTRY_NOT_FOUND', `Entry not found: ${path.slice(0, 200)}`, { detail: { commit: revision.commit } });
    return file;
  }

  /** A URL where clients fetch a file from the blob store itself (redirect mode), or null. */
  async location(file: HubFile): Promise<string | null> {
    return this.blobs.presignedUrl ? this.blobs.presignedUrl(file.digest) : null;
  }

  /** A reader of a file's bytes, straight from its blob. */
  async open(file: HubFile): Promise<BlobReader> {
    return this.blobs.openReader(file.digest);
  }

  /** The parsed ModelPack config of a revision, if it has a small JSON one. */
  async config(revision: HubRevision): Promise<Record<string, unknown> | undefined> {
    if (!revision.configDigest) return undefined;
    const size = await this.blobs.stat(revision.configDigest);
    if (size === null || size > 1 << 20) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.blobs.read(revision.configDigest)) chunks.push(chunk as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  private async digestFor(repository: string, revision: string): Promise<string> {
    if (revision === 'main' || revision === 'HEAD') {
      const byDefault = await this.defaultDigest(repository);
      if (byDefault) return byDefault;
      throw revisionNotFound(repository, revision);
    }
    if (isCommitId(revision)) {
      const matches = await this.store.findManifestDigests(repository, revision, 2);
      if (matches.length === 1) return matches[0]!;
    }
    const tagged = await this.store.resolveTag(repository, revision);
    if (tagged) return tagged;
    const aliased = await this.aliases?.(repository, revision);
    if (aliased) return aliased;
    throw revisionNotFound(repository, revision);
  }

  /** `main` is the `latest` (or `main`) tag when there is one, else the most recently moved model tag. */
  private async defaultDigest(repository: string): Promise<string | undefined> {
    const tags = await this.store.tagRecords(repository);
    for (const name of DEFAULT_TAGS) {
      const tag = tags.find((t) => t.tag === name);
      if (tag) return tag.digest;
    }
    for (const tag of tags) {
      const manifest = await this.store.getManifest(repository, tag.digest);
      if (manifest && this.filesOf(manifest).files.length > 0) return tag.digest;
    }
    return undefined;
  }

  private filesOf(manifest: StoredManifest): { files: HubFile[]; configDigest?: string | undefined } {
    const cached = this.filesByDigest.get(manifest.digest);
    if (cached) return cached;
    const files = filesOfManifest(manifest.content);
    let configDigest: string | undefined;
    try {
      configDigest = (JSON.parse(Buffer.from(manifest.content).toString('utf8')) as { config?: { digest?: string } }).config?.digest;
    } catch {
      configDigest = undefined;
    }
    const entry = { files, configDigest };
    if (this.filesByDigest.size >= FILE_CACHE_LIMIT) this.filesByDigest.delete(this.filesByDigest.keys().next().value!);
    this.filesByDigest.set(manifest.digest, entry);
    return entry;
  }
}

function repoNotFound(repository: string): RegistryError {
  return new RegistryError('REPO_NOT_FOUND', `Repository not found: ${repository.slice(0, 200)}`);
}

function revisionNotFound(repository: string, revision: string): RegistryError {
  return new RegistryError('REVISION_NOT_FOUND', `Invalid rev id: ${revision.slice(0, 200)} for ${repository.slice(0, 200)}`);
}
