// What a receiver gets: the body in the policy's format and the headers that identify and sign it.
// Default format: Berth's JSON with Harbor's envelope (`type`, `occur_at`, `operator`, `event_data`;
// artifact events carry Harbor's `resources` and `repository`). CloudEvents: structured JSON mode.
// Signing follows the Standard Webhooks scheme (also MLflow's): HMAC-SHA256 over
// "<id>.<timestamp>.<body>", base64, sent as `webhook-signature: v1,<sig>`.
// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
// https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EVENT_TYPES, type DomainEvent } from './domain-events.js';
import type { WebhookPolicy } from '../ports/webhook-store.js';

/** An HTTP request ready to send to a receiver. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const ARTIFACT_EVENTS = new Set(['artifact.pushed', 'artifact.pulled', 'artifact.deleted']);

/** The `event_data` of an event: Harbor's shape for artifact events, the event's own facts otherwise. */
export function eventData(event: DomainEvent, registryHost: string): Record<string, unknown> {
  if (!ARTIFACT_EVENTS.has(event.type)) return { ...event.data };
  const repository = String(event.data.repository ?? '');
  const slash = repository.indexOf('/');
  const tag = typeof event.data.tag === 'string' ? event.data.tag : undefined;
  const digest = typeof event.data.digest === 'string' ? event.data.digest : undefined;
  const resource = {
    digest,
    ...(tag !== undefined ? { tag } : {}),
    resource_url: `${registryHost}/${repository}${tag !== undefined ? `:${tag}` : `@${digest}`}`,
    ...(event.data.mediaType ? { media_type: event.data.mediaType } : {}),
    ...(event.data.artifactType ? { artifact_type: event.data.artifactType } : {}),
    ...(event.data.size !== undefined ? { size: event.data.size } : {}),
    ...(event.data.count !== undefined ? { pull_count: event.data.count, first_pulled_at: event.data.firstAt, last_pulled_at: event.data.lastAt } : {}),
  };
  return {
    resources: [resource],
    repository: { name: repository.slice(slash + 1), namespace: repository.slice(0, slash), repo_full_name: repository },
    custom_attributes: {},
  };
}

/** The body of `event` for `policy`, and its content type. */
export function encodePayload(event: DomainEvent, policy: Pick<WebhookPolicy, 'id' | 'project' | 'format'>, registryHost: string): { body: string; contentType: string } {
  const data = eventData(event, registryHost);
  if (policy.format === 'cloudevents') {
    const source = policy.project === null ? `/system/webhook/policies/${policy.id}` : `/projects/${policy.project}/webhook/policies/${policy.id}`;
    const subject = event.data.repository ?? event.data.model ?? event.project ?? undefined;
    return {
      contentType: 'application/cloudevents+json',
      body: JSON.stringify({
        specversion: '1.0',
        id: event.id,
        source,
        type: `io.berth.${event.type}`,
        time: event.occurredAt.toISOString(),
        datacontenttype: 'application/json',
        ...(typeof subject === 'string' ? { subject } : {}),
        operator: event.operator,
        data,
      }),
    };
  }
  return {
    contentType: 'application/json',
    body: JSON.stringify({
      id: event.id,
      type: EVENT_TYPES[event.type],
      event: event.type,
      occur_at: Math.floor(event.occurredAt.getTime() / 1000),
      operator: event.operator,
      project: event.project,
      event_data: data,
    }),
  };
}

/**
 * The Standard Webhooks signature of a body: `v1,<base64 HMAC-SHA256>`. A `whsec_<base64>` secret
 * (the Standard Webhooks form) keys the HMAC with its decoded bytes; any other secret with its UTF-8.
 */
export function signPayload(secret: string, id: string, timestamp: number, body: string): string {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** True when `header` (space-separated `v1,<sig>` entries) holds a valid signature of the body. */
export function verifySignature(secret: string, id: string, timestamp: number, body: string, header: string): boolean {
  const expected = Buffer.from(signPayload(secret, id, timestamp, body));
  return header.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The full request for one delivery attempt at `now`. */
export function webhookRequest(event: DomainEvent, deliveryId: number, policy: WebhookPolicy, registryHost: string, now: Date): WebhookRequest {
  const { body, contentType } = encodePayload(event, policy, registryHost);
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Berth-Webhooks/1',
    'webhook-id': event.id,
    'webhook-timestamp': String(timestamp),
    'x-berth-event': event.type,
    'x-berth-delivery': String(deliveryId),
  };
  if (policy.secret) headers['webhook-signature'] = signPayload(policy.secret, event.id, timestamp, body);
  if (policy.authHeader) headers.authorization = policy.authHeader;
  return { url: policy.url, headers, body };
}
