// Berth's own model features on top of the metadata: models and versions by name, archive (soft
// delete) and real delete (which deletes the bound manifests, so their blobs lose their last
// references), model cards from README layers, search, and `resolveAlias` for other surfaces.
// Aliases and lineage are in model-aliases.ts and model-lineage.ts.
import { RegistryError } from '../errors.js';
import type { RegistryService } from '../oci/registry.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { Binding, ModelCard, ModelStore } from '../ports/model-store.js';
import type { Entity, EntityKind } from './entity-kinds.js';
import { requireAllowed, requireVisible, type ModelAccess } from './model-access.js';
import { aliasEventBuilder, versionEvent } from './model-events.js';
import { readModelCard, readModelPackManifest } from './model-artifact-reader.js';

/** A version with what binds it to the registry. */
export interface VersionDetail {
  version: Entity;
  binding: Binding | null;
  artifacts: Entity[];
  aliases: string[];
}

/** Model lookups, archive, delete, cards and search for the caller. */
export class ModelService {
  constructor(
    readonly store: ModelStore,
    private readonly registry: Pick<RegistryService, 'getManifest' | 'deleteManifest' | 'checkManifestDeletable'>,
    private readonly blobs: BlobStore,
    readonly clock: Clock,
  ) {}

  /** The registered model named `name`, if the caller may read it. */
  async model(access: ModelAccess, name: string): Promise<Entity> {
    const model = await this.byName('registered-model', name, null);
    if (!model) throw new RegistryError('NOT_FOUND', `model "${name}" not found`);
    await requireVisible(access, model.project, `model "${name}"`);
    return model;
  }

  /** A model's version by name. */
  async version(access: ModelAccess, name: string, version: string): Promise<{ model: Entity; version: Entity }> {
    const model = await this.model(access, name);
    const found = await this.byName('model-version', version, model.id);
    if (!found) throw new RegistryError('NOT_FOUND', `model "${name}" has no version "${version}"`);
    return { model, version: found };
  }

  /** Models the caller may read: all, those matching `text` (names, properties, cards), one project's; live ones unless `state` says otherwise. */
  async listModels(access: ModelAccess, q: { text?: string | undefined; project?: string | undefined; state?: 'LIVE' | 'ARCHIVED' | 'all' | undefined; limit: number }): Promise<Entity[]> {
    let projects = await access.readableProjects();
    if (q.project !== undefined) projects = projects === null || projects.includes(q.project) ? [q.project] : [];
    const states = q.state === 'all' ? null : [q.state ?? 'LIVE'];
    if (q.text) return this.store.searchModels({ text: q.text, projects, states, limit: q.limit });
    const models = await this.store.listEntities({ kinds: ['registered-model'], projects, orderBy: 'ID', sortOrder: 'ASC', limit: q.limit, filter: states && { op: 'compare', target: { kind: 'attribute', attribute: 'state' }, comparator: 'IN', valueType: 'string', values: states } });
    return models;
  }

  /** Every version of a model, with bindings and aliases. */
  async versions(model: Entity): Promise<VersionDetail[]> {
    const versions = await this.children(['model-version'], model.id);
    const bindings = new Map((await this.store.listBindings(model.id)).map((b) => [b.versionId, b]));
    const aliases = await this.store.listAliases(model.id);
    const ids = versions.map((v) => v.id);
    const artifacts = ids.length === 0 ? [] : await this.all({ kinds: ['model-artifact'], filter: { op: 'compare', target: { kind: 'attribute', attribute: 'parentId' }, comparator: 'IN', valueType: 'number', values: ids } });
    return versions.map((version) => ({
      version,
      binding: bindings.get(version.id) ?? null,
      artifacts: artifacts.filter((a) => a.parentId === version.id),
      aliases: aliases.filter((a) => a.versionId === version.id).map((a) => a.alias),
    }));
  }

  /** One version with its artifacts, binding and aliases. */
  async versionDetail(access: ModelAccess, name: string, versionName: string): Promise<VersionDetail & { model: Entity }> {
    const { model, version } = await this.version(access, name, versionName);
    const aliases = (await this.store.listAliases(model.id)).filter((a) => a.versionId === version.id).map((a) => a.alias);
    return { model, version, binding: await this.store.getBinding(version.id), artifacts: await this.children(['model-artifact', 'doc-artifact', 'dataset-artifact', 'metric', 'parameter'], version.id), aliases };
  }

  /** Archives (soft-deletes) or restores a model, or one of its versions. */
  async setArchived(access: ModelAccess, name: string, versionName: string | null, archived: boolean): Promise<Entity> {
    const found = versionName === null ? { model: await this.model(access, name), version: null } : await this.version(access, name, versionName);
    const target = found.version ?? found.model;
    await requireAllowed(access, target.project, 'push', `${archived ? 'archive' : 'restore'} "${name}"`);
    const at = this.clock.now().getTime();
    const events = found.version && archived && found.version.state !== 'ARCHIVED' ? [versionEvent('model_version.archived', found.model, found.version, access.actor, at)] : [];
    return (await this.store.updateEntity(target.id, { state: archived ? 'ARCHIVED' : 'LIVE', updatedAt: at }, events))!;
  }

  /** Deletes a version for real: its bound manifest (and the tags on it), artifacts, aliases and lineage. */
  async deleteVersion(access: ModelAccess, name: string, versionName: string): Promise<{ deletedManifests: string[] }> {
    const { model, version } = await this.version(access, name, versionName);
    await requireAllowed(access, model.project, 'delete', `delete version "${versionName}" of "${name}"`);
    const bound = await this.store.getBinding(version.id);
    // Refused before anything changes while an immutable tag protects the version's manifest.
    if (bound) await this.registry.checkManifestDeletable(bound.repository, bound.digest);
    const at = this.clock.now().getTime();
    for (const alias of (await this.store.listAliases(model.id)).filter((a) => a.versionId === version.id)) {
      const outbox = aliasEventBuilder(model, new Map([[version.id, version.name]]), access.actor);
      await this.store.moveAlias({ modelId: model.id, alias: alias.alias, versionId: null, actor: access.actor, at, reason: 'version-deleted' }, outbox);
    }
    const binding = await this.store.getBinding(version.id);
    const deletedManifests = binding ? await this.deleteManifests([binding], access.actor) : [];
    const artifacts = await this.children(['model-artifact', 'doc-artifact', 'dataset-artifact', 'metric', 'parameter'], version.id);
    const deleted = versionEvent('model_version.deleted', model, { id: version.id, name: version.name, digest: binding?.digest, tag: binding?.tag }, access.actor, at);
    await this.store.deleteEntities([version.id, ...artifacts.map((a) => a.id)], [deleted]);
    return { deletedManifests };
  }

  /** Deletes a model for real: every bound manifest, version, artifact, alias, inference service record and lineage edge. */
  async deleteModel(access: ModelAccess, name: string): Promise<{ deletedManifests: string[] }> {
    const model = await this.model(access, name);
    await requireAllowed(access, model.project, 'delete', `delete model "${name}"`);
    const bindings = await this.store.listBindings(model.id);
    for (const b of bindings) await this.registry.checkManifestDeletable(b.repository, b.digest);
    const deletedManifests = await this.deleteManifests(bindings, access.actor);
    const versions = await this.children(['model-version'], model.id);
    const at = this.clock.now().getTime();
    const events = versions.map((v) => {
      const binding = bindings.find((b) => b.versionId === v.id);
      return versionEvent('model_version.deleted', model, { id: v.id, name: v.name, digest: binding?.digest, tag: binding?.tag }, access.actor, at);
    });
    const ids = [model.id, ...versions.map((v) => v.id)];
    for (const v of versions) ids.push(...(await this.children(['model-artifact', 'doc-artifact', 'dataset-artifact', 'metric', 'parameter'], v.id)).map((a) => a.id));
    const services = await this.all({ kinds: ['inference-service'], filter: { op: 'compare', target: { kind: 'field', name: 'registeredModelId' }, comparator: '=', valueType: 'number', values: [model.id] } });
    for (const s of services) ids.push(s.id, ...(await this.children(['serve-model'], s.id)).map((x) => x.id));
    await this.store.deleteEntities(ids, events);
    return { deletedManifests };
  }

  /** The model card of a version: its README, read from the artifact once and kept. */
  async card(access: ModelAccess, name: string, versionName: string): Promise<ModelCard> {
    const { version } = await this.version(access, name, versionName);
    const stored = await this.store.getCard(version.id);
    if (stored) return stored;
    const binding = await this.store.getBinding(version.id);
    const manifest = binding && readModelPackManifest((await this.registry.getManifest(binding.repository, binding.digest).catch(() => null))?.content ?? new Uint8Array());
    const read = manifest ? await readModelCard(this.blobs, manifest) : null;
    if (!read) throw new RegistryError('NOT_FOUND', `version "${versionName}" of "${name}" has no model card (no README in its artifact)`);
    const card = { versionId: version.id, ...read };
    await this.store.putCard(card);
    return card;
  }

  /**
   * The manifest digest alias `alias` of model `repository` points at, for surfaces that resolve
   * revisions (the Hugging Face one): null when the model, alias or bound manifest does not exist.
   * No permission check: the caller checks pull on the repository.
   */
  async resolveAlias(repository: string, alias: string): Promise<string | null> {
    const model = await this.byName('registered-model', repository, null);
    const record = model && (await this.store.getAlias(model.id, alias));
    const binding = record && (await this.store.getBinding(record.versionId));
    if (!binding) return null;
    const artifact = await this.store.getEntity(binding.artifactId);
    return artifact && artifact.state !== 'DELETED' ? binding.digest : null;
  }

  /** An entity by name within a parent (or globally). */
  async byName(kind: EntityKind, name: string, parentId: number | null): Promise<Entity | null> {
    const found = await this.store.listEntities({ kinds: [kind], name, ...(parentId === null ? {} : { parentId }), projects: null, orderBy: 'ID', sortOrder: 'ASC', limit: 1 });
    return found[0] ?? null;
  }

  private async deleteManifests(bindings: Binding[], operator: string): Promise<string[]> {
    const deleted: string[] = [];
    for (const b of bindings) {
      try {
        await this.registry.deleteManifest(b.repository, b.digest, operator);
        deleted.push(`${b.repository}@${b.digest}`);
      } catch (err) {
        if (!(err instanceof RegistryError && err.code === 'MANIFEST_UNKNOWN')) throw err;
      }
    }
    return deleted;
  }

  private children(kinds: EntityKind[], parentId: number): Promise<Entity[]> {
    return this.all({ kinds, parentId });
  }

  /** Every entity matching a query, page by page. */
  private async all(q: { kinds: EntityKind[]; parentId?: number; filter?: Parameters<ModelStore['listEntities']>[0]['filter'] }): Promise<Entity[]> {
    const out: Entity[] = [];
    for (;;) {
      const last = out.at(-1);
      const page = await this.store.listEntities({ ...q, projects: null, orderBy: 'ID', sortOrder: 'ASC', limit: 500, after: last ? { id: last.id, value: last.id } : undefined });
      out.push(...page);
      if (page.length < 500) return out;
    }
  }
}
