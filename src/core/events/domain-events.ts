// Domain events: what changed in Berth, recorded in the outbox in the same transaction as the change
// itself, then fanned out to webhook policies. Names are Berth's (`artifact.pushed`); Harbor's names
// (`PUSH_ARTIFACT`) are accepted as synonyms where Harbor has one.
import { randomUUID } from 'node:crypto';

/** Every event type, with its Harbor-style payload type (Harbor's own name where one exists). */
export const EVENT_TYPES = {
  'artifact.pushed': 'PUSH_ARTIFACT',
  'artifact.pulled': 'PULL_ARTIFACT',
  'artifact.deleted': 'DELETE_ARTIFACT',
  'tag.created': 'CREATE_TAG',
  'tag.moved': 'MOVE_TAG',
  'tag.deleted': 'DELETE_TAG',
  'model_version.created': 'CREATE_MODEL_VERSION',
  'model_version.archived': 'ARCHIVE_MODEL_VERSION',
  'model_version.deleted': 'DELETE_MODEL_VERSION',
  'alias.set': 'SET_ALIAS',
  'alias.moved': 'MOVE_ALIAS',
  'alias.removed': 'REMOVE_ALIAS',
  'project.created': 'CREATE_PROJECT',
  'project.deleted': 'DELETE_PROJECT',
  'member.added': 'ADD_MEMBER',
  'member.updated': 'UPDATE_MEMBER',
  'member.removed': 'REMOVE_MEMBER',
  'scan.completed': 'SCANNING_COMPLETED',
  'quota.warning': 'QUOTA_WARNING',
  'quota.exceeded': 'QUOTA_EXCEED',
  'retention.finished': 'TAG_RETENTION',
  'webhook.test': 'TEST_WEBHOOK',
} as const;

/** A Berth event type name. */
export type EventType = keyof typeof EVENT_TYPES;

/** The event types a policy can subscribe to (the test event is sent on demand only). */
export const SUBSCRIBABLE_EVENTS = (Object.keys(EVENT_TYPES) as EventType[]).filter((t) => t !== 'webhook.test');

/** One thing that happened, as stored in the outbox and delivered to receivers. */
export interface DomainEvent {
  /** Unique id (a UUID); receivers use it to drop duplicates of an at-least-once delivery. */
  id: string;
  type: EventType;
  /** The project it happened in; null for system-level events. */
  project: string | null;
  /** Who did it: a user or robot name, `anonymous`, or `system`. */
  operator: string;
  occurredAt: Date;
  /** Type-specific facts (repository, digest, tag, model, version, alias ...). */
  data: Record<string, unknown>;
}

/** Builds an event with a fresh id. */
export function domainEvent(type: EventType, project: string | null, operator: string | undefined, occurredAt: Date, data: Record<string, unknown>): DomainEvent {
  return { id: randomUUID(), type, project, operator: operator ?? 'system', occurredAt, data };
}

/** The Berth name of `name`, which may also be a Harbor-style name; undefined when unknown. */
export function eventTypeNamed(name: string): EventType | undefined {
  if (name in EVENT_TYPES) return name as EventType;
  const upper = name.toUpperCase();
  return (Object.keys(EVENT_TYPES) as EventType[]).find((t) => EVENT_TYPES[t] === upper);
}

/** The project part of a repository name (`team/llama` -> `team`). */
export function projectOfRepository(repository: string): string {
  return repository.split('/', 1)[0]!;
}
