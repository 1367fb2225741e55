// The domain events of model metadata: versions created, archived and deleted, and alias moves. Each
// is built here and handed to the ModelStore, which records it with the change in one transaction.
import { domainEvent, type DomainEvent } from '../events/domain-events.js';
import type { Entity } from './entity-kinds.js';
import type { AliasEvent } from '../ports/model-store.js';

/** What a version event says about its version. */
export interface VersionFacts {
  id: number;
  name: string | null;
  digest?: string | undefined;
  tag?: string | undefined;
  uri?: string | undefined;
}

/** model_version.created / archived / deleted for `version` of `model`. */
export function versionEvent(type: 'model_version.created' | 'model_version.archived' | 'model_version.deleted', model: Entity, version: VersionFacts, operator: string, at: number): DomainEvent {
  return domainEvent(type, model.project, operator, new Date(at), {
    model: model.name,
    modelId: model.id,
    version: version.name,
    versionId: version.id,
    ...(version.digest ? { digest: version.digest, repository: model.name } : {}),
    ...(version.tag ? { tag: version.tag } : {}),
    ...(version.uri ? { uri: version.uri } : {}),
  });
}

/** Builds the alias event of a move once the store knows where the alias pointed before. */
export function aliasEventBuilder(model: Entity, versionNames: ReadonlyMap<number, string | null>, operator: string): (move: AliasEvent) => DomainEvent[] {
  return (move) => {
    if (move.fromVersionId === move.toVersionId) return [];
    const type = move.toVersionId === null ? 'alias.removed' : move.fromVersionId === null ? 'alias.set' : 'alias.moved';
    const name = (id: number | null) => (id === null ? null : (versionNames.get(id) ?? null));
    return [domainEvent(type, model.project, operator, new Date(move.at), {
      model: model.name,
      modelId: model.id,
      alias: move.alias,
      version: name(move.toVersionId),
      versionId: move.toVersionId,
      previousVersion: name(move.fromVersionId),
      previousVersionId: move.fromVersionId,
      ...(move.reason ? { reason: move.reason } : {}),
    })];
  };
}
