import { describe, expect, it } from 'vitest';
import { domainEvent } from './domain-events.js';
import { encodePayload, signPayload, verifySignature, webhookRequest } from './webhook-payloads.js';
import type { WebhookPolicy } from '../ports/webhook-store.js';

const policy: WebhookPolicy = {
  id: 7, project: 'team', name: 'ci', url: 'http://ci.example/hook', events: ['artifact.pushed'], format: 'default',
  secret: 'a-long-enough-secret', authHeader: 'Bearer abc', enabled: true, createdBy: 'alice', createdAt: new Date(0), updatedAt: new Date(0),
};
const pushed = domainEvent('artifact.pushed', 'team', 'alice', new Date('2026-01-02T03:04:05.678Z'), { repository: 'team/llm', digest: 'sha256:abc', tag: 'v1', mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 12 });

describe('webhook payloads', () => {
  it('signs like Standard Webhooks (its published test vector, whsec_ secret)', () => {
    expect(signPayload('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies signatures and rejects a changed body, id, timestamp or secret', () => {
    const sig = signPayload('s3cret-s3cret-s3cret', 'id1', 100, 'body');
    expect(verifySignature('s3cret-s3cret-s3cret', 'id1', 100, 'body', `v0,zzz ${sig}`)).toBe(true);
    expect(verifySignature('s3cret-s3cret-s3cret', 'id1', 100, 'body!', sig)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', 'id2', 100, 'body', sig)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', 'id1', 101, 'body', sig)).toBe(false);
    expect(verifySignature('other-secret-other', 'id1', 100, 'body', sig)).toBe(false);
  });

  it('encodes artifact events in Harbor\'s shape', () => {
    const body = JSON.parse(encodePayload(pushed, policy, 'berth.example:5050').body);
    expect(body).toEqual({
      id: pushed.id, type: 'PUSH_ARTIFACT', event: 'artifact.pushed', occur_at: 1767323045, operator: 'alice', project: 'team',
      event_data: {
        resources: [{ digest: 'sha256:abc', tag: 'v1', resource_url: 'berth.example:5050/team/llm:v1', media_type: 'application/vnd.oci.image.manifest.v1+json', size: 12 }],
        repository: { name: 'llm', namespace: 'team', repo_full_name: 'team/llm' },
        custom_attributes: {},
      },
    });
  });

  it('encodes CloudEvents 1.0 in structured mode', () => {
    const { body, contentType } = encodePayload(pushed, { ...policy, format: 'cloudevents', project: null }, 'h:1');
    expect(contentType).toBe('application/cloudevents+json');
    expect(JSON.parse(body)).toMatchObject({ specversion: '1.0', id: pushed.id, source: '/system/webhook/policies/7', type: 'io.berth.artifact.pushed', time: '2026-01-02T03:04:05.678Z', subject: 'team/llm', operator: 'alice' });
  });

  it('builds signed requests that carry the event id for duplicate suppression and the auth header', () => {
    const req = webhookRequest(pushed, 42, policy, 'h:1', new Date(1_000_000));
    expect(req.headers).toMatchObject({ 'webhook-id': pushed.id, 'webhook-timestamp': '1000', 'x-berth-delivery': '42', 'x-berth-event': 'artifact.pushed', authorization: 'Bearer abc' });
    expect(verifySignature(policy.secret!, pushed.id, 1000, req.body, req.headers['webhook-signature']!)).toBe(true);
    expect(webhookRequest(pushed, 42, { ...policy, secret: null }, 'h:1', new Date(0)).headers['webhook-signature']).toBeUndefined();
  });
});
