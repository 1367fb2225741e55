// Harbor-style repositories and artifacts of a project, for the REST API and the UI: paged listings
// with counts, sizes, tags (with their immutability), pull times and the model version a manifest is
// bound to; and deletes of a repository, an artifact or a tag, always through RegistryService's
// deleteManifest so events, quotas, immutability and model bookkeeping stay right.
// https://github.com/goharbor/harbor/blob/main/api/v2.0/swagger.yaml (repositories, artifacts)
import { RegistryError, isRegistryError } from '../errors.js';
import { ANNOTATION_FILEPATH, ANNOTATION_FILEPATH_CNAI } from '../modelpack/media-types.js';
import type { PolicyCaller } from '../policies/policy-caller.js';
import { requireProjectAction } from '../policies/policy-caller.js';
import { immutableMessage } from '../policies/immutable-rules.js';
import type { TagPolicy } from '../policies/tag-policy.js';
import type { ModelStore } from '../ports/model-store.js';
import type { ArtifactSummary, OffsetPage, RegistryStore, RepositorySummary } from '../ports/registry-store.js';
import { looksLikeDigest, parseDigest } from './digest.js';
import { isValidName, isValidTag } from './names.js';
import type { RegistryService } from './registry.js';

/** A page request: 1-based page number and page size. */
export interface PageRequest {
  page: number;
  pageSize: number;
}

/** A tag of an artifact, with whether a rule makes it immutable. */
export interface ArtifactTag {
  name: string;
  pushedAt: Date;
  immutable: boolean;
}

/** The model version a manifest was pushed as. */
export interface ArtifactModelVersion {
  model: string;
  version: string;
  /** The version's `berth.scan.status`, null when not scanned. */
  scanStatus: string | null;
}

/** An artifact as listings show it. */
export interface Artifact extends Omit<ArtifactSummary, 'tags'> {
  tags: ArtifactTag[];
  modelVersion?: ArtifactModelVersion | undefined;
}

/** Content an artifact's manifest references: its config and layers, or an index's manifests. */
export interface ArtifactReference {
  digest: string;
  size: number;
  mediaType: string | null;
  kind: 'config' | 'layer' | 'blob' | 'manifest';
  /** The ModelPack file path of a layer, when annotated. */
  filepath?: string | undefined;
}

/** Reads and deletes a project's repositories and artifacts. */
export class ArtifactCatalog {
  constructor(
    private readonly store: RegistryStore,
    private readonly registry: Pick<RegistryService, 'deleteManifest' | 'getManifest'>,
    private readonly models: Pick<ModelStore, 'findBindings' | 'getEntities'>,
    private readonly tags: Pick<TagPolicy, 'protecting'> | undefined,
  ) {}

  /** Repositories of `project` holding an artifact, by name, optionally those whose name contains `q`. */
  async listRepositories(caller: PolicyCaller, project: string, page: PageRequest, q?: string): Promise<OffsetPage<RepositorySummary>> {
    await caller.see(project);
    return this.store.listProjectRepositories(project, { contains: q?.toLowerCase() || undefined, ...window(page) });
  }

  /** One repository (`name` without the project prefix); NOT_FOUND when it holds no artifact. */
  async getRepository(caller: PolicyCaller, project: string, name: string): Promise<RepositorySummary> {
    const full = repositoryName(project, name);
    await caller.see(project);
    const summary = await this.store.repositorySummary(full);
    if (!summary) throw notFound(`repository ${full}`);
    return summary;
  }

  /**
   * Deletes every artifact of a repository. Refused (DENIED) before anything changes when an immutable
   * tag is in it; returns how many manifests were deleted.
   */
  async deleteRepository(caller: PolicyCaller, project: string, name: string): Promise<number> {
    const full = repositoryName(project, name);
    await requireProjectAction(caller, project, 'delete', 'delete repositories');
    const contents = await this.store.repositoryContents(full);
    if (contents.length === 0) throw notFound(`repository ${full}`);
    for (const { tags } of contents) {
      for (const tag of tags) {
        const rule = await this.tags?.protecting(full, tag);
        if (rule) throw new RegistryError('DENIED', `${immutableMessage(full, tag, rule)}; repository not deleted`, { detail: { reason: 'immutable', repository: full, tag, rule: rule.id } });
      }
    }
    let deleted = 0;
    for (const { digest } of contents) {
      try {
        await this.registry.deleteManifest(full, digest, caller.actor);
        deleted++;
      } catch (err) {
        // Deleted meanwhile by someone else: what was asked for holds.
        if (!(isRegistryError(err) && err.code === 'MANIFEST_UNKNOWN')) throw err;
      }
    }
    return deleted;
  }

  /** Artifacts of a repository, newest pushed first. */
  async listArtifacts(caller: PolicyCaller, project: string, name: string, page: PageRequest): Promise<OffsetPage<Artifact>> {
    const full = repositoryName(project, name);
    await caller.see(project);
    const listed = await this.store.listArtifacts(full, window(page));
    if (listed.total === 0 && !(await this.store.repositorySummary(full))) throw notFound(`repository ${full}`);
    return { total: listed.total, items: await this.decorate(full, listed.items) };
  }

  /** One artifact by tag or digest, with the content its manifest references. */
  async getArtifact(caller: PolicyCaller, project: string, name: string, reference: string): Promise<Artifact & { references: ArtifactReference[] }> {
    const full = repositoryName(project, name);
    const ref = parseApiReference(reference);
    await caller.see(project);
    const digest = ref.kind === 'digest' ? ref.digest : await this.store.resolveTag(full, ref.tag);
    const summary = digest === null ? null : await this.store.artifactSummary(full, digest);
    if (!summary) throw notFound(`artifact ${full}${ref.kind === 'digest' ? '@' : ':'}${reference}`);
    const [artifact] = await this.decorate(full, [summary]);
    const manifest = await this.registry.getManifest(full, summary.digest);
    return { ...artifact!, references: referencesOf(manifest.content) };
  }

  /** Deletes an artifact by digest (with its tags; needs `delete`) or only a tag (needs `tag.delete`). */
  async deleteArtifact(caller: PolicyCaller, project: string, name: string, reference: string): Promise<void> {
    const full = repositoryName(project, name);
    const ref = parseApiReference(reference);
    await requireProjectAction(caller, project, ref.kind === 'digest' ? 'delete' : 'tag.delete', ref.kind === 'digest' ? 'delete artifacts' : 'delete tags');
    try {
      await this.registry.deleteManifest(full, ref.kind === 'digest' ? ref.digest : ref.tag, caller.actor);
    } catch (err) {
      if (isRegistryError(err) && err.code === 'MANIFEST_UNKNOWN') throw notFound(`artifact ${full}${ref.kind === 'digest' ? '@' : ':'}${reference}`);
      throw err;
    }
  }

  /** Adds immutability to tags and the bound model versions, in batch lookups. */
  private async decorate(repository: string, items: ArtifactSummary[]): Promise<Artifact[]> {
    const bindings = await this.models.findBindings(repository, items.map((i) => i.digest));
    const entities = new Map((await this.models.getEntities([...new Set(bindings.flatMap((b) => [b.versionId, b.modelId]))])).map((e) => [e.id, e]));
    const versions = new Map(bindings.map((b) => {
      const version = entities.get(b.versionId);
      const scan = version?.customProperties['berth.scan.status'];
      return [b.digest, {
        model: entities.get(b.modelId)?.name ?? repository,
        version: version?.name ?? b.tag,
        scanStatus: scan?.metadataType === 'MetadataStringValue' ? scan.string_value : null,
      }] as const;
    }));
    return Promise.all(items.map(async (item) => ({
      ...item,
      tags: await Promise.all(item.tags.map(async (t) => ({ name: t.name, pushedAt: t.updatedAt, immutable: (await this.tags?.protecting(repository, t.name)) !== undefined }))),
      modelVersion: versions.get(item.digest),
    })));
  }
}

/** The full repository name of `name` in `project`; INVALID when it is no valid repository name. */
export function repositoryName(project: string, name: string): string {
  const full = `${project}/${name}`;
  if (!isValidName(full)) throw new RegistryError('INVALID', `"${full.slice(0, 300)}" is not a valid repository name`);
  return full;
}

/** A tag or digest from the API; INVALID when malformed. */
export function parseApiReference(reference: string): { kind: 'digest'; digest: string } | { kind: 'tag'; tag: string } {
  if (looksLikeDigest(reference)) {
    try {
      return { kind: 'digest', digest: parseDigest(reference).value };
    } catch {
      throw new RegistryError('INVALID', `"${reference.slice(0, 200)}" is not a valid digest`);
    }
  }
  if (!isValidTag(reference)) throw new RegistryError('INVALID', `"${reference.slice(0, 200)}" is not a valid tag or digest`);
  return { kind: 'tag', tag: reference };
}

/** The descriptors a stored manifest references (it was validated on push; anything odd is skipped). */
export function referencesOf(content: Uint8Array): ArtifactReference[] {
  let body: { config?: unknown; layers?: unknown; blobs?: unknown; manifests?: unknown };
  try {
    body = JSON.parse(new TextDecoder().decode(content)) as typeof body;
  } catch {
    return [];
  }
  const out: ArtifactReference[] = [];
  const add = (d: unknown, kind: ArtifactReference['kind']) => {
    if (typeof d !== 'object' || d === null) return;
    const { digest, size, mediaType, annotations } = d as { digest?: unknown; size?: unknown; mediaType?: unknown; annotations?: Record<string, unknown> };
    if (typeof digest !== 'string') return;
    const filepath = annotations?.[ANNOTATION_FILEPATH] ?? annotations?.[ANNOTATION_FILEPATH_CNAI];
    out.push({ digest, size: typeof size === 'number' ? size : 0, mediaType: typeof mediaType === 'string' ? mediaType : null, kind, ...(typeof filepath === 'string' ? { filepath } : {}) });
  };
  add(body.config, 'config');
  for (const [list, kind] of [[body.layers, 'layer'], [body.blobs, 'blob'], [body.manifests, 'manifest']] as const) {
    if (Array.isArray(list)) for (const d of list) add(d, kind);
  }
  return out;
}

function window(page: PageRequest): { offset: number; limit: number } {
  return { offset: (page.page - 1) * page.pageSize, limit: page.pageSize };
}

function notFound(what: string): RegistryError {
  return new RegistryError('NOT_FOUND', `${what} not found`);
}
