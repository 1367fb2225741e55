// Webhook policies as users manage them: create, list, change, delete, with targets and event names
// validated up front (only http(s), no credentials in the URL, never Berth itself); the delivery log,
// redelivery on demand and the synchronous "send test event" call.
import { RegistryError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { DeliveryRecord, DeliveryStatus, PayloadFormat, WebhookPolicy, WebhookStore } from '../ports/webhook-store.js';
import { domainEvent, eventTypeNamed, SUBSCRIBABLE_EVENTS, type EventType } from './domain-events.js';
import type { DeliveryResult, WebhookDispatcher } from './webhook-dispatcher.js';

/** Who is calling: a name for the record and what they may do with a project's webhooks (null: system-wide). */
export interface WebhookCaller {
  actor: string;
  may(project: string | null, action: 'webhook.read' | 'webhook.manage'): Promise<boolean>;
}

/** The fields of a new policy, as a client sends them. */
export interface PolicyInput {
  name?: string | undefined;
  url: string;
  events: string[];
  format?: PayloadFormat | undefined;
  secret?: string | null | undefined;
  authHeader?: string | null | undefined;
  enabled?: boolean | undefined;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|\[::\]|0\.0\.0\.0|\[::ffff:127(\.\d{1,3}){3}\])$/i;

/** Manages webhook policies and their deliveries. */
export class WebhookService {
  constructor(
    private readonly store: WebhookStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: Clock,
    /** Berth's own addresses as host:port (listen address, external URL), refused as targets. */
    private readonly selfAddresses: readonly string[],
    /** Told when policies change (the pull recorder re-reads whether anyone wants pulls). */
    private readonly onPoliciesChanged: () => void = () => undefined,
  ) {}

  async create(caller: WebhookCaller, project: string | null, input: PolicyInput): Promise<WebhookPolicy> {
    await this.require(caller, project, 'webhook.manage');
    const now = this.clock.now();
    const policy = await this.store.createPolicy({
      project,
      name: checkName(input.name ?? new URL(this.checkUrl(input.url)).host),
      url: this.checkUrl(input.url),
      events: checkEvents(input.events),
      format: input.format ?? 'default',
      secret: checkSecret(input.secret ?? null),
      authHeader: checkAuthHeader(input.authHeader ?? null),
      enabled: input.enabled ?? true,
      createdBy: caller.actor,
      createdAt: now,
      updatedAt: now,
    });
    this.onPoliciesChanged();
    return policy;
  }

  async list(caller: WebhookCaller, project: string | null): Promise<WebhookPolicy[]> {
    await this.require(caller, project, 'webhook.read');
    return this.store.listPolicies(project);
  }

  /** Policy `id`, if the caller may read its project's webhooks (NOT_FOUND otherwise). */
  async get(caller: WebhookCaller, id: number, action: 'webhook.read' | 'webhook.manage' = 'webhook.read'): Promise<WebhookPolicy> {
    const policy = await this.store.getPolicy(id);
    if (!policy || !(await caller.may(policy.project, 'webhook.read'))) throw new RegistryError('NOT_FOUND', `webhook ${id} not found`);
    await this.require(caller, policy.project, action);
    return policy;
  }

  async update(caller: WebhookCaller, id: number, input: Partial<PolicyInput>): Promise<WebhookPolicy> {
    await this.get(caller, id, 'webhook.manage');
    const updated = await this.store.updatePolicy(id, {
      ...(input.name !== undefined ? { name: checkName(input.name) } : {}),
      ...(input.url !== undefined ? { url: this.checkUrl(input.url) } : {}),
      ...(input.events !== undefined ? { events: checkEvents(input.events) } : {}),
      ...(input.format !== undefined ? { format: input.format } : {}),
      ...(input.secret !== undefined ? { secret: checkSecret(input.secret) } : {}),
      ...(input.authHeader !== undefined ? { authHeader: checkAuthHeader(input.authHeader) } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    }, this.clock.now());
    this.onPoliciesChanged();
    return updated!;
  }

  async remove(caller: WebhookCaller, id: number): Promise<void> {
    await this.get(caller, id, 'webhook.manage');
    await this.store.deletePolicy(id);
    this.onPoliciesChanged();
  }

  async deliveries(caller: WebhookCaller, id: number, query: { limit: number; beforeId?: number | undefined; status?: DeliveryStatus | undefined }): Promise<DeliveryRecord[]> {
    await this.get(caller, id);
    return this.store.listDeliveries(id, query);
  }

  /** Queues delivery `deliveryId`'s event to its policy again, as a new delivery. */
  async redeliver(caller: WebhookCaller, id: number, deliveryId: number): Promise<DeliveryRecord> {
    await this.get(caller, id, 'webhook.manage');
    const delivery = await this.store.getDelivery(deliveryId);
    if (!delivery || delivery.policyId !== id) throw new RegistryError('NOT_FOUND', `delivery ${deliveryId} of webhook ${id} not found`);
    const again = await this.store.addDelivery(id, delivery.event, this.clock.now());
    this.dispatcher.kick();
    return again;
  }

  /** Sends a `webhook.test` event to the policy now and reports what the receiver answered. */
  async test(caller: WebhookCaller, id: number): Promise<DeliveryResult> {
    const policy = await this.get(caller, id, 'webhook.manage');
    const event = domainEvent('webhook.test', policy.project, caller.actor, this.clock.now(), { policy: policy.id, name: policy.name, message: 'a test event from Berth' });
    return this.dispatcher.deliverNow({ ...policy, enabled: true }, event);
  }

  private async require(caller: WebhookCaller, project: string | null, action: 'webhook.read' | 'webhook.manage'): Promise<void> {
    if (await caller.may(project, action)) return;
    const where = project === null ? 'system-wide webhooks' : `webhooks of project "${project}"`;
    throw new RegistryError(caller.actor === 'anonymous' ? 'UNAUTHORIZED' : 'DENIED', `not allowed to ${action === 'webhook.read' ? 'read' : 'manage'} ${where}`);
  }

  /** The normalised target URL; INVALID for anything but an http(s) URL elsewhere than Berth. */
  private checkUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new RegistryError('INVALID', `webhook URL "${raw.slice(0, 200)}" is not a valid absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RegistryError('INVALID', `webhook URLs must use http or https, not "${url.protocol.replace(/:$/, '')}"`);
    if (url.username !== '' || url.password !== '') throw new RegistryError('INVALID', 'put credentials in the auth header, not in the webhook URL');
    if (url.hash !== '') throw new RegistryError('INVALID', 'webhook URLs cannot carry a #fragment');
    if (this.isSelf(url)) throw new RegistryError('INVALID', `webhook URL ${url.origin} points at this Berth server itself`);
    return url.toString();
  }

  private isSelf(url: URL): boolean {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const host = url.hostname.toLowerCase();
    return this.selfAddresses.some((address) => {
      const colon = address.lastIndexOf(':');
      const selfHost = address.slice(0, colon).toLowerCase();
      const selfPort = address.slice(colon + 1);
      if (selfPort !== port) return false;
      if (selfHost === host) return true;
      return LOOPBACK.test(host) && (LOOPBACK.test(selfHost) || selfHost === '');
    });
  }
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 128) throw new RegistryError('INVALID', 'webhook names are 1 to 128 characters');
  return trimmed;
}

function checkEvents(names: string[]): EventType[] {
  if (names.length === 0) throw new RegistryError('INVALID', `name at least one event type: ${SUBSCRIBABLE_EVENTS.join(', ')}`);
  const types = names.map((name) => {
    const type = eventTypeNamed(name.trim());
    if (!type || type === 'webhook.test') throw new RegistryError('INVALID', `unknown event type "${name.slice(0, 64)}"; known: ${SUBSCRIBABLE_EVENTS.join(', ')}`);
    return type;
  });
  return [...new Set(types)];
}

function checkSecret(secret: string | null): string | null {
  if (secret !== null && secret !== '' && (secret.length < 16 || secret.length > 256)) throw new RegistryError('INVALID', 'signing secrets are 16 to 256 characters');
  return secret === '' ? null : secret;
}

function checkAuthHeader(value: string | null): string | null {
  if (value !== null && (/[\r\n]/.test(value) || value.length > 4096)) throw new RegistryError('INVALID', 'the auth header must be one line of at most 4096 characters');
  return value === '' ? null : value;
}
