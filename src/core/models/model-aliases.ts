// Aliases: names (`production`, `staging`, any other) that point at one version of a model. A move
// is atomic and recorded (who, when, from, to), so a rollback is one call: it undoes the last move.
import { RegistryError } from '../errors.js';
import type { AliasEvent, AliasRecord } from '../ports/model-store.js';
import type { Entity } from './entity-kinds.js';
import { requireAllowed, type ModelAccess } from './model-access.js';
import { aliasEventBuilder } from './model-events.js';
import type { ModelService } from './model-service.js';

/** Alias names: like tags, so they can serve as revisions elsewhere (at most 63 characters). */
export const ALIAS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** An alias with its version's name and bound digest. */
export interface AliasView extends AliasRecord {
  version: string | null;
  digest: string | null;
}

/** An alias move with the versions' names. */
export interface AliasEventView extends AliasEvent {
  from: string | null;
  to: string | null;
}

/** Alias operations for the caller. */
export class ModelAliases {
  constructor(private readonly models: ModelService) {}

  /** The aliases of a model. */
  async list(access: ModelAccess, name: string): Promise<AliasView[]> {
    const model = await this.models.model(access, name);
    return Promise.all((await this.models.store.listAliases(model.id)).map((a) => this.view(a)));
  }

  /** One alias. */
  async get(access: ModelAccess, name: string, alias: string): Promise<AliasView> {
    const model = await this.models.model(access, name);
    const record = await this.models.store.getAlias(model.id, alias);
    if (!record) throw new RegistryError('NOT_FOUND', `model "${name}" has no alias "${alias}"`);
    return this.view(record);
  }

  /** Points `alias` at `version`; with `expected`, only if it still points at that version (null: absent). */
  async set(access: ModelAccess, name: string, alias: string, version: string, expected?: string | null): Promise<AliasEventView> {
    if (!ALIAS_NAME.test(alias)) throw new RegistryError('INVALID', 'alias names are 1-63 letters, digits, . _ - and start with a letter or digit');
    const { model, version: target } = await this.models.version(access, name, version);
    await requireAllowed(access, model.project, 'push', `move alias "${alias}" of "${name}"`);
    const expectedVersionId = expected === undefined ? undefined : expected === null ? null : (await this.models.version(access, name, expected)).version.id;
    const outbox = await this.outbox(access, model, alias, target);
    return this.eventView(await this.models.store.moveAlias({ modelId: model.id, alias, versionId: target.id, expectedVersionId, actor: access.actor, at: this.models.clock.now().getTime() }, outbox));
  }

  /** Removes an alias (recorded in its history). */
  async remove(access: ModelAccess, name: string, alias: string): Promise<AliasEventView> {
    const model = await this.models.model(access, name);
    await requireAllowed(access, model.project, 'push', `remove alias "${alias}" of "${name}"`);
    const current = await this.models.store.getAlias(model.id, alias);
    if (!current) throw new RegistryError('NOT_FOUND', `model "${name}" has no alias "${alias}"`);
    const outbox = await this.outbox(access, model, alias, null);
    return this.eventView(await this.models.store.moveAlias({ modelId: model.id, alias, versionId: null, expectedVersionId: current.versionId, actor: access.actor, at: this.models.clock.now().getTime() }, outbox));
  }

  /** Moves of a model's aliases (or one alias), newest first. */
  async history(access: ModelAccess, name: string, alias: string | null, limit: number): Promise<AliasEventView[]> {
    const model = await this.models.model(access, name);
    return Promise.all((await this.models.store.aliasHistory(model.id, alias, limit)).map((e) => this.eventView(e)));
  }

  /** Undoes the last move of `alias`: points it back where it pointed before (recorded as a rollback). */
  async rollback(access: ModelAccess, name: string, alias: string): Promise<AliasEventView> {
    const model = await this.models.model(access, name);
    await requireAllowed(access, model.project, 'push', `roll back alias "${alias}" of "${name}"`);
    const last = (await this.models.store.aliasHistory(model.id, alias, 1))[0];
    if (!last) throw new RegistryError('NOT_FOUND', `model "${name}" has no alias "${alias}"`);
    if (last.fromVersionId === null) throw new RegistryError('CONFLICT', `alias "${alias}" has no earlier version to roll back to`);
    const previous = await this.models.store.getEntity(last.fromVersionId);
    if (!previous || previous.kind !== 'model-version') throw new RegistryError('CONFLICT', `the version alias "${alias}" pointed at before was deleted`);
    const outbox = await this.outbox(access, model, alias, previous);
    return this.eventView(await this.models.store.moveAlias({
      modelId: model.id, alias, versionId: previous.id, expectedVersionId: last.toVersionId, actor: access.actor, at: this.models.clock.now().getTime(), reason: 'rollback',
    }, outbox));
  }

  /** The outbox builder of a move of `alias` to `target`, knowing the names of both versions involved. */
  private async outbox(access: ModelAccess, model: Entity, alias: string, target: Entity | null) {
    const current = await this.models.store.getAlias(model.id, alias);
    const before = current ? await this.models.store.getEntity(current.versionId) : null;
    const names = new Map<number, string | null>();
    if (before) names.set(before.id, before.name);
    if (target) names.set(target.id, target.name);
    return aliasEventBuilder(model, names, access.actor);
  }

  private async view(a: AliasRecord): Promise<AliasView> {
    const [version, binding] = await Promise.all([this.models.store.getEntity(a.versionId), this.models.store.getBinding(a.versionId)]);
    return { ...a, version: version?.name ?? null, digest: binding?.digest ?? null };
  }

  private async eventView(e: AliasEvent): Promise<AliasEventView> {
    const ids = [e.fromVersionId, e.toVersionId].filter((id): id is number => id !== null);
    const names = new Map((await this.models.store.getEntities(ids)).map((v: Entity) => [v.id, v.name]));
    return { ...e, from: e.fromVersionId === null ? null : (names.get(e.fromVersionId) ?? null), to: e.toVersionId === null ? null : (names.get(e.toVersionId) ?? null) };
  }
}
