// `berth webhook`: create, list, inspect and remove webhook policies, read their delivery log,
// redeliver an event and send a test event. Each one is a thin call of the REST API.
import type { Command } from 'commander';
import { apiClient, withServerOptions, type ServerOptions } from '../client.js';
import { printObject, printRows } from '../output.js';

type Opts = ServerOptions & { json?: boolean };
type Row = Record<string, unknown>;
type CreateOpts = Opts & { url: string; events: string; secret?: string; format?: string; authHeader?: string; name?: string; system?: boolean; disabled?: boolean };

const POLICY_COLUMNS = ['id', 'project', 'name', 'url', 'events', 'format', 'hasSecret', 'enabled'];
const DELIVERY_COLUMNS = ['id', 'eventType', 'status', 'attempts', 'lastStatusCode', 'lastLatencyMs', 'lastError', 'updatedAt'];

/** Registers `berth webhook ...` on `program`. */
export function registerWebhookCommands(program: Command): void {
  const webhook = program.command('webhook').description('send registry events (pushes, pulls, deletes, alias moves ...) to HTTP receivers');

  withServerOptions(webhook.command('create').description('create a webhook policy for a project (or, with --system, for every project)')
    .argument('[project]', 'the project whose events to send')
    .requiredOption('--url <url>', 'receiver URL (http or https)')
    .requiredOption('--events <list>', 'comma-separated event types, e.g. artifact.pushed,alias.moved (Harbor names like PUSH_ARTIFACT work too)')
    .option('--secret <secret>', 'HMAC-SHA256 signing secret, 16+ characters (Standard Webhooks; whsec_<base64> accepted)')
    .option('--format <format>', 'default (Harbor-compatible JSON) or cloudevents', 'default')
    .option('--auth-header <value>', 'sent as the Authorization header')
    .option('--name <name>', 'a name for the policy (default: the receiver host)')
    .option('--system', 'a system-wide policy (administrators only)')
    .option('--disabled', 'create it disabled'))
    .action(async (project: string | undefined, o: CreateOpts) => {
      if (!!project === !!o.system) throw new Error('name a project, or pass --system for a system-wide webhook');
      const body: Row = { url: o.url, events: o.events.split(',').map((e) => e.trim()).filter(Boolean), format: o.format, enabled: !o.disabled };
      if (o.secret !== undefined) body.secret = o.secret;
      if (o.authHeader !== undefined) body.authHeader = o.authHeader;
      if (o.name !== undefined) body.name = o.name;
      printObject(await apiClient(o).request<Row>('POST', policiesPath(project), body), !!o.json);
    });

  withServerOptions(webhook.command('ls').description('list the webhook policies of a project (or, with --system, the system-wide ones)')
    .argument('[project]')
    .option('--system', 'list system-wide policies'))
    .action(async (project: string | undefined, o: Opts & { system?: boolean }) => {
      if (!!project === !!o.system) throw new Error('name a project, or pass --system');
      printRows(await apiClient(o).request<Row[]>('GET', policiesPath(project)), POLICY_COLUMNS, !!o.json);
    });

  withServerOptions(webhook.command('show').description('show one webhook policy').argument('<id>')).action(async (id: string, o: Opts) => {
    printObject(await apiClient(o).request<Row>('GET', `/api/v1/webhooks/${policyId(id)}`), !!o.json);
  });

  withServerOptions(webhook.command('set').description('change a webhook policy').argument('<id>')
    .option('--url <url>').option('--events <list>').option('--secret <secret>').option('--format <format>').option('--auth-header <value>')
    .option('--enable').option('--disable'))
    .action(async (id: string, o: Opts & { url?: string; events?: string; secret?: string; format?: string; authHeader?: string; enable?: boolean; disable?: boolean }) => {
      if (o.enable && o.disable) throw new Error('pass --enable or --disable, not both');
      const body: Row = {};
      if (o.url !== undefined) body.url = o.url;
      if (o.events !== undefined) body.events = o.events.split(',').map((e) => e.trim()).filter(Boolean);
      if (o.secret !== undefined) body.secret = o.secret;
      if (o.format !== undefined) body.format = o.format;
      if (o.authHeader !== undefined) body.authHeader = o.authHeader;
      if (o.enable || o.disable) body.enabled = !!o.enable;
      printObject(await apiClient(o).request<Row>('PATCH', `/api/v1/webhooks/${policyId(id)}`, body), !!o.json);
    });

  withServerOptions(webhook.command('deliveries').description('show the delivery log of a policy, newest first').argument('<id>')
    .option('--status <status>', 'only pending, delivered or failed deliveries')
    .option('--limit <n>', 'entries', '50'))
    .action(async (id: string, o: Opts & { status?: string; limit: string }) => {
      const query = new URLSearchParams({ limit: o.limit, ...(o.status ? { status: o.status } : {}) });
      printRows(await apiClient(o).request<Row[]>('GET', `/api/v1/webhooks/${policyId(id)}/deliveries?${query}`), DELIVERY_COLUMNS, !!o.json);
    });

  withServerOptions(webhook.command('redeliver').description('send the event of a delivery again').argument('<id>').argument('<delivery>')).action(
    async (id: string, delivery: string, o: Opts) => {
      printObject(await apiClient(o).request<Row>('POST', `/api/v1/webhooks/${policyId(id)}/deliveries/${policyId(delivery)}/redeliver`), !!o.json);
    },
  );

  withServerOptions(webhook.command('test').description('send a test event now and show what the receiver answered').argument('<id>')).action(async (id: string, o: Opts) => {
    const result = await apiClient(o).request<{ success: boolean; delivery: Row }>('POST', `/api/v1/webhooks/${policyId(id)}/test`);
    if (o.json) printObject(result, true);
    else printObject({ success: result.success, status: result.delivery.lastStatusCode, latencyMs: result.delivery.lastLatencyMs, error: result.delivery.lastError }, false);
    if (!result.success) process.exitCode = 1;
  });

  withServerOptions(webhook.command('rm').description('delete a webhook policy and its delivery log').argument('<id>')).action(async (id: string, o: Opts) => {
    await apiClient(o).request('DELETE', `/api/v1/webhooks/${policyId(id)}`);
  });
}

function policiesPath(project: string | undefined): string {
  return project ? `/api/v1/projects/${encodeURIComponent(project)}/webhooks` : '/api/v1/system/webhooks';
}

function policyId(id: string): string {
  if (!/^\d+$/.test(id)) throw new Error(`"${id}" is not a webhook or delivery id (a number)`);
  return id;
}
