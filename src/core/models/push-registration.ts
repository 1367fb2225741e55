// Binds pushed artifacts to model metadata. A model manifest (ModelPack, ORMB or a KitOps ModelKit)
// pushed to `<project>/<model>:<tag>`
// registers (or reuses) the RegisteredModel `<project>/<model>`, a ModelVersion `<tag>` and its
// ModelArtifact `oci://<host>/<project>/<model>@<digest>`, and binds the version to that digest.
//
// The rebinding rule: a version's digest never changes. Pushing other content to a tag whose version
// is already bound leaves that version as it is and registers a new version named
// `<tag>-<first 12 hex digits of the new digest>` (custom property `berth.tag` keeps the tag); the
// OCI tag itself moves as OCI says. Pushing content that is already bound (the same digest under
// another tag, or again) changes nothing. Deleting a bound manifest marks its artifact DELETED and
// archives its version.
import { projectOf } from '../access/permissions.js';
import { isRegistryError } from '../errors.js';
import type { RegistryEvent } from '../events/registry-events.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { ModelStore } from '../ports/model-store.js';
import type { Entity, EntityKind } from './entity-kinds.js';
import { stringValue, type CustomProperties } from './metadata-value.js';
import { readModelCard, readModelPackFacts, readModelPackManifest } from './model-artifact-reader.js';
import { versionEvent } from './model-events.js';
import { formatOciUri } from './oci-uri.js';
import type { VersionScanner } from '../scanning/version-scanner.js';

/** Registers pushed ModelPack artifacts as model versions. */
export class PushRegistration {
  constructor(
    private readonly store: ModelStore,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    /** host[:port] written into artifact URIs. */
    private readonly host: string,
    /** Scans each newly bound version for unsafe files, when scanning is on. */
    private readonly scanner?: Pick<VersionScanner, 'enqueue'> | undefined,
  ) {}

  /** The registry event listener. */
  readonly listener = async (event: RegistryEvent): Promise<void> => {
    if (event.type === 'manifest.pushed' && event.tag !== undefined) await this.retryOnce(() => this.register(event.repository, event.tag!, event.digest, event.content, event.at, event.operator));
    else if (event.type === 'manifest.deleted') await this.forget(event.repository, event.digest, event.operator);
  };

  /** Registers one pushed manifest; returns the bound version, or null when the manifest is not a model. */
  async register(repository: string, tag: string, digest: string, content: Uint8Array, at: Date, operator = 'system'): Promise<Entity | null> {
    const manifest = readModelPackManifest(content);
    if (!manifest) return null;
    const bound = await this.store.findBinding(repository, digest);
    if (bound) return this.store.getEntity(bound.versionId);
    const now = at.getTime();
    const project = projectOf(repository);
    const model = (await this.findOne('registered-model', repository, null)) ??
      (await this.store.createEntity({ kind: 'registered-model', name: repository, externalId: null, description: null, project, parentId: null, runId: null, state: 'LIVE', fields: {}, customProperties: {}, createdAt: now }));

    let version = await this.findOne('model-version', tag, model.id);
    if (version && (await this.store.getBinding(version.id))) {
      const name = `${tag}-${digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13)}`;
      version = await this.findOne('model-version', name, model.id);
      if (version && (await this.store.getBinding(version.id))) return version;
      version ??= await this.createVersion(model, name, tag, digest, now, operator);
    }
    version ??= await this.createVersion(model, tag, tag, digest, now, operator);

    const facts = await readModelPackFacts(this.blobs, manifest);
    const uri = formatOciUri(this.host, repository, digest);
    const fields = {
      uri,
      ...(facts.format ? { modelFormatName: facts.format } : {}),
      modelSourceKind: 'oci',
      modelSourceName: `${repository}:${tag}`,
    };
    const artifacts = await this.store.listEntities({ kinds: ['model-artifact'], parentId: version.id, projects: null, orderBy: 'ID', sortOrder: 'ASC', limit: 100 });
    const reusable = artifacts.find((a) => a.fields.uri === uri || a.fields.uri === undefined || a.fields.uri === '');
    const artifact = reusable
      ? (await this.store.updateEntity(reusable.id, { fields, state: 'LIVE', updatedAt: now }))!
      : await this.store.createEntity({
          kind: 'model-artifact', name: artifacts.some((a) => a.name === repository) ? null : repository, externalId: null, description: null,
          project: model.project, parentId: version.id, runId: null, state: 'LIVE', fields, customProperties: {}, createdAt: now,
        });
    await this.store.putBinding({ versionId: version.id, modelId: model.id, artifactId: artifact.id, repository, digest, tag, createdAt: now });

    const custom: CustomProperties = { ...version.customProperties, 'berth.digest': stringValue(digest), 'berth.tag': stringValue(tag), 'berth.packaging': stringValue(manifest.format) };
    for (const key of ['architecture', 'paramSize', 'precision', 'quantization', 'framework'] as const) {
      const value = facts[key];
      if (value !== undefined && custom[key] === undefined) custom[key] = stringValue(value);
    }
    await this.store.updateEntity(version.id, { customProperties: custom, updatedAt: now });
    const card = await readModelCard(this.blobs, manifest);
    if (card) {
      await this.store.putCard({ versionId: version.id, ...card });
      if (model.fields.readme === undefined) await this.store.updateEntity(model.id, { fields: { readme: card.text }, updatedAt: now });
    }
    const registered = await this.store.getEntity(version.id);
    if (registered) this.scanner?.enqueue(model, registered, digest, manifest);
    return registered;
  }

  /** A bound manifest was deleted: its artifact is DELETED and its version ARCHIVED. */
  private async forget(repository: string, digest: string, operator = 'system'): Promise<void> {
    const binding = await this.store.findBinding(repository, digest);
    if (!binding) return;
    const now = this.clock.now().getTime();
    await this.store.updateEntity(binding.artifactId, { state: 'DELETED', updatedAt: now });
    const found = await this.store.getEntities([binding.modelId, binding.versionId]);
    const model = found.find((e) => e.id === binding.modelId);
    const version = found.find((e) => e.id === binding.versionId);
    const events = model && version && version.state !== 'ARCHIVED' ? [versionEvent('model_version.archived', model, { id: version.id, name: version.name, digest, tag: binding.tag }, operator, now)] : [];
    await this.store.updateEntity(binding.versionId, { state: 'ARCHIVED', updatedAt: now }, events);
  }

  private async createVersion(model: Entity, name: string, tag: string, digest: string, now: number, operator: string): Promise<Entity> {
    const uri = formatOciUri(this.host, model.name ?? '', digest);
    return this.store.createEntity({
      kind: 'model-version', name, externalId: null, description: null, project: model.project, parentId: model.id, runId: null, state: 'LIVE', fields: {},
      customProperties: { 'berth.digest': stringValue(digest), 'berth.tag': stringValue(tag) }, createdAt: now,
    }, (id) => [versionEvent('model_version.created', model, { id, name, digest, tag, uri }, operator, now)]);
  }

  private async findOne(kind: EntityKind, name: string, parentId: number | null): Promise<Entity | null> {
    const found = await this.store.listEntities({ kinds: [kind], name, ...(parentId === null ? {} : { parentId }), projects: null, orderBy: 'ID', sortOrder: 'ASC', limit: 1 });
    return found[0] ?? null;
  }

  /** Two pushes racing to create the same model or version: the loser retries and finds the winner's. */
  private async retryOnce<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isRegistryError(err) && err.code === 'CONFLICT') return fn();
      throw err;
    }
  }
}
