// The WebhookStore contract: policies, the outbox written inside other stores' transactions, fan-out,
// per-policy ordering, leases and the delivery log. Every relational driver must pass these checks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { domainEvent, type DomainEvent, type EventType } from '../../src/core/events/domain-events.js';
import type { RegistryStore, StoredManifest } from '../../src/core/ports/registry-store.js';
import type { DeliveryOutcome, WebhookPolicy, WebhookStore } from '../../src/core/ports/webhook-store.js';

/** Fresh, empty stores sharing one database, and how to dispose of them. */
export interface WebhookStoreHarness {
  webhooks: WebhookStore;
  registry: RegistryStore;
  dispose(): Promise<void>;
}

const T0 = new Date(1_700_000_000_000);
const at = (ms: number) => new Date(T0.getTime() + ms);
const digest = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;

function policy(extra: Partial<Omit<WebhookPolicy, 'id'>> = {}): Omit<WebhookPolicy, 'id'> {
  return {
    project: 'team', name: 'ci', url: 'http://127.0.0.1:9/hook', events: ['artifact.pushed'], format: 'default',
    secret: 'a-secret-of-sixteen+', authHeader: null, enabled: true, createdBy: 'alice', createdAt: T0, updatedAt: T0, ...extra,
  };
}

function event(type: EventType, project: string | null, n: number): DomainEvent {
  return domainEvent(type, project, 'alice', at(n), { n });
}

function manifest(repository: string, d: string): StoredManifest {
  const content = Buffer.from(`{"schemaVersion":2,"x":"${d}"}`);
  return { repository, digest: d, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: content.length, createdAt: T0, content };
}

function outcome(status: DeliveryOutcome['status'], attempts: number, next = T0, code: number | null = 200): DeliveryOutcome {
  return { status, attempts, nextAttemptAt: next, statusCode: code, error: status === 'delivered' ? null : 'boom', latencyMs: 5, at: T0 };
}

/** Registers the contract suite for a driver. */
export function webhookStoreContract(driver: string, create: () => Promise<WebhookStoreHarness>): void {
  describe(`WebhookStore contract: ${driver}`, () => {
    let h: WebhookStoreHarness;
    let s: WebhookStore;
    beforeEach(async () => {
      h = await create();
      s = h.webhooks;
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('creates, lists, changes and deletes policies, per project and system-wide', async () => {
      const a = await s.createPolicy(policy());
      const b = await s.createPolicy(policy({ project: null, name: 'all', events: ['tag.deleted', 'artifact.pulled'], format: 'cloudevents' }));
      await s.createPolicy(policy({ project: 'other' }));
      expect(a.id).not.toBe(b.id);
      expect(await s.getPolicy(a.id)).toEqual(a);
      expect((await s.listPolicies('team')).map((p) => p.id)).toEqual([a.id]);
      expect((await s.listPolicies(null)).map((p) => p.name)).toEqual(['all']);
      expect(await s.anyPolicyWants('artifact.pulled')).toBe(true);
      const changed = await s.updatePolicy(b.id, { enabled: false, secret: null, events: ['tag.deleted'] }, at(5));
      expect(changed).toMatchObject({ enabled: false, secret: null, events: ['tag.deleted'], format: 'cloudevents', updatedAt: at(5) });
      expect(await s.anyPolicyWants('artifact.pulled')).toBe(false);
      expect(await s.deletePolicy(a.id)).toBe(true);
      expect(await s.deletePolicy(a.id)).toBe(false);
      expect(await s.getPolicy(a.id)).toBeNull();
      expect(await s.updatePolicy(a.id, { name: 'x' }, at(6))).toBeNull();
    });

    it('records events with the registry change that caused them, and none when the change did not happen', async () => {
      const p = await s.createPolicy(policy({ events: ['artifact.pushed', 'tag.deleted', 'artifact.deleted'] }));
      const pushed = event('artifact.pushed', 'team', 1);
      await h.registry.putManifest(manifest('team/m', digest('1')), [], 'v1', [pushed]);
      expect(await h.registry.deleteTag('team/m', 'nope', [event('tag.deleted', 'team', 2)])).toBe(false);
      expect(await h.registry.deleteManifest('team/m', digest('9'), [event('artifact.deleted', 'team', 3)])).toBe(false);
      expect(await s.backlog()).toBe(1);
      expect(await s.fanOut(100, T0)).toBe(1);
      expect(await s.fanOut(100, T0)).toBe(0);
      const [delivery] = await s.listDeliveries(p.id, { limit: 10 });
      expect(delivery).toMatchObject({ policyId: p.id, status: 'pending', attempts: 0, event: { id: pushed.id, type: 'artifact.pushed', project: 'team', operator: 'alice', data: { n: 1 } } });
      expect(delivery!.event.occurredAt).toEqual(at(1));
    });

    it('fans events out to enabled policies of the same project, and to system-wide ones, by type', async () => {
      const team = await s.createPolicy(policy({ events: ['artifact.pushed'] }));
      const other = await s.createPolicy(policy({ project: 'other', events: ['artifact.pushed'] }));
      const system = await s.createPolicy(policy({ project: null, events: ['artifact.pushed', 'project.created'] }));
      const off = await s.createPolicy(policy({ enabled: false }));
      await s.appendEvents([event('artifact.pushed', 'team', 1), event('project.created', 'team', 2), event('artifact.pushed', 'other', 3)]);
      expect(await s.fanOut(2, T0)).toBe(2);
      expect(await s.fanOut(2, T0)).toBe(1);
      const types = async (id: number) => (await s.listDeliveries(id, { limit: 10 })).map((d) => `${d.event.type}:${d.event.project}`).reverse();
      expect(await types(team.id)).toEqual(['artifact.pushed:team']);
      expect(await types(other.id)).toEqual(['artifact.pushed:other']);
      expect(await types(system.id)).toEqual(['artifact.pushed:team', 'project.created:team', 'artifact.pushed:other']);
      expect(await types(off.id)).toEqual([]);
    });

    it('leases only the oldest pending delivery of each policy, so every receiver gets its events in order', async () => {
      const a = await s.createPolicy(policy());
      const b = await s.createPolicy(policy({ name: 'b' }));
      await s.appendEvents([1, 2, 3].map((n) => event('artifact.pushed', 'team', n)));
      await s.fanOut(100, T0);
      const first = await s.claimDue(at(10), 'r1', at(60_000), 10);
      expect(first.map((d) => [d.policyId, d.event.data.n])).toEqual([[a.id, 1], [b.id, 1]]);
      expect(await s.claimDue(at(10), 'r2', at(60_000), 10)).toEqual([]);
      expect(await s.recordAttempt(first[0]!.id, 'r1', outcome('delivered', 1))).toBe(true);
      const second = await s.claimDue(at(20), 'r2', at(60_000), 10);
      expect(second.map((d) => [d.policyId, d.event.data.n])).toEqual([[a.id, 2]]);
    });

    it('holds a policy\'s later deliveries behind one waiting to be retried, and moves on once it fails for good', async () => {
      const p = await s.createPolicy(policy());
      await s.appendEvents([1, 2].map((n) => event('artifact.pushed', 'team', n)));
      await s.fanOut(100, T0);
      const [head] = await s.claimDue(at(0), 'r1', at(60_000), 10);
      expect(await s.recordAttempt(head!.id, 'r1', outcome('pending', 1, at(5_000), 503))).toBe(true);
      expect(await s.claimDue(at(1_000), 'r1', at(60_000), 10)).toEqual([]);
      const [retry] = await s.claimDue(at(5_000), 'r1', at(60_000), 10);
      expect(retry).toMatchObject({ id: head!.id, attempts: 1, lastStatusCode: 503, lastError: 'boom' });
      await s.recordAttempt(retry!.id, 'r1', outcome('failed', 2, at(5_000), 500));
      const [next] = await s.claimDue(at(5_000), 'r1', at(60_000), 10);
      expect(next?.event.data.n).toBe(2);
      expect((await s.getDelivery(head!.id))?.status).toBe('failed');
      expect(p.id).toBe(next?.policyId);
    });

    it('lets another owner take a delivery whose lease expired, and ignores the late answer of the old owner', async () => {
      await s.createPolicy(policy());
      await s.appendEvents([event('artifact.pushed', 'team', 1)]);
      await s.fanOut(100, T0);
      const [mine] = await s.claimDue(at(0), 'r1', at(1_000), 10);
      expect(await s.claimDue(at(999), 'r2', at(5_000), 10)).toEqual([]);
      const [theirs] = await s.claimDue(at(1_001), 'r2', at(5_000), 10);
      expect(theirs?.id).toBe(mine?.id);
      expect(await s.recordAttempt(mine!.id, 'r1', outcome('delivered', 1))).toBe(false);
      expect(await s.recordAttempt(mine!.id, 'r2', outcome('delivered', 1))).toBe(true);
      expect((await s.getDelivery(mine!.id))?.status).toBe('delivered');
    });

    it('never hands one delivery to two owners claiming at once', async () => {
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push((await s.createPolicy(policy({ name: `p${i}` }))).id);
      await s.appendEvents([event('artifact.pushed', 'team', 1)]);
      await s.fanOut(100, T0);
      const claims = await Promise.all(['r1', 'r2', 'r3'].map((owner) => s.claimDue(at(0), owner, at(60_000), 6)));
      const claimed = claims.flat().map((d) => d.id);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(claimed.length).toBeLessThanOrEqual(6);
    });

    it('stores only the events some enabled policy of their project, or a system-wide one, wants', async () => {
      await s.createPolicy(policy({ events: ['artifact.pushed'] }));
      await s.createPolicy(policy({ project: null, events: ['project.created'] }));
      await s.createPolicy(policy({ project: 'other', events: ['tag.deleted'], enabled: false }));
      await s.appendEvents([event('artifact.pushed', 'team', 1), event('artifact.pushed', 'other', 2), event('tag.created', 'team', 3), event('project.created', 'x', 4), event('tag.deleted', 'other', 5)]);
      await h.registry.putManifest(manifest('other/m', digest('2')), [], 'v1', [event('artifact.pushed', 'other', 6)]);
      expect(await s.backlog()).toBe(2);
    });

    it('prunes finished deliveries and the old events nothing refers to, never pending work', async () => {
      const p = await s.createPolicy(policy({ events: ['artifact.pushed', 'tag.created'] }));
      await s.appendEvents([event('artifact.pushed', 'team', 1), event('tag.created', 'team', 2)]);
      await s.fanOut(100, T0);
      const [first] = await s.claimDue(at(0), 'r', at(60_000), 10);
      await s.recordAttempt(first!.id, 'r', { ...outcome('delivered', 1), at: at(10) });
      await s.appendEvents([event('artifact.pushed', 'team', 4)]);
      expect(await s.prune(at(1_000_000))).toEqual({ deliveries: 1, events: 1 });
      const left = await s.listDeliveries(p.id, { limit: 10 });
      expect(left.map((d) => [d.status, d.event.data.n])).toEqual([['pending', 2]]);
      expect(await s.fanOut(100, T0)).toBe(1);
      expect(await s.prune(at(0))).toEqual({ deliveries: 0, events: 0 });
    });

    it('adds deliveries outside the outbox, optionally pre-leased, and keeps a delivery log per policy', async () => {
      const p = await s.createPolicy(policy());
      const test = event('webhook.test', 'team', 1);
      const leased = await s.addDelivery(p.id, test, at(0), { owner: 'me', until: at(60_000) });
      expect(await s.claimDue(at(1), 'other', at(60_000), 10)).toEqual([]);
      expect(await s.recordAttempt(leased.id, 'me', outcome('delivered', 1))).toBe(true);
      const again = await s.addDelivery(p.id, test, at(2));
      expect(again.id).toBeGreaterThan(leased.id);
      expect(again.event.id).toBe(test.id);
      expect((await s.listDeliveries(p.id, { limit: 10 })).map((d) => d.id)).toEqual([again.id, leased.id]);
      expect((await s.listDeliveries(p.id, { limit: 10, beforeId: again.id })).map((d) => d.id)).toEqual([leased.id]);
      expect((await s.listDeliveries(p.id, { limit: 10, status: 'delivered' })).map((d) => d.id)).toEqual([leased.id]);
      expect(await s.backlog()).toBe(1);
      await s.deletePolicy(p.id);
      expect(await s.getDelivery(again.id)).toBeNull();
      expect(await s.backlog()).toBe(0);
    });
  });
}
