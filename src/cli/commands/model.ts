// `berth model`: model metadata from the command line — list and search models, show a model or a
// version, move aliases and read their history (with rollback), and show or record lineage. Each
// one is a thin call of Berth's /api/v1 model routes.
import type { Command } from 'commander';
import { apiClient, withServerOptions as withServer, type ServerOptions } from '../client.js';
import { printObject, printRows } from '../output.js';

type Opts = ServerOptions & { json?: boolean };
type Row = Record<string, unknown>;

/** Splits `<project>/<model>[:<version>]` into the API path of the model and the version. */
export function parseModelRef(ref: string): { path: string; name: string; version?: string } {
  const colon = ref.lastIndexOf(':');
  const name = colon > ref.lastIndexOf('/') && colon !== -1 ? ref.slice(0, colon) : ref;
  const version = name === ref ? undefined : ref.slice(colon + 1);
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) throw new Error(`write the model as <project>/<model>, got "${ref}"`);
  const path = `/api/v1/models/${encodeURIComponent(name.slice(0, slash))}/${encodeURIComponent(name.slice(slash + 1))}`;
  return version === undefined || version === '' ? { path, name } : { path, name, version };
}

function needVersion(ref: string): { path: string; name: string; version: string } {
  const parsed = parseModelRef(ref);
  if (parsed.version === undefined) throw new Error(`name the version: ${ref}:<version>`);
  return { ...parsed, version: parsed.version };
}

/** Registers `berth model ...` on `program`. */
export function registerModelMetadataCommands(program: Command): void {
  const model = program.command('model').description('model metadata: versions, aliases, lineage');

  withServer(model.command('ls').description('list models (live ones unless --all), or search names, properties and model cards').argument('[project]'))
    .option('-s, --search <text>', 'search text')
    .option('--all', 'include archived models')
    .action(async (project: string | undefined, o: Opts & { search?: string; all?: boolean }) => {
      const query = new URLSearchParams({ state: o.all ? 'all' : 'LIVE' });
      if (project) query.set('project', project);
      if (o.search) query.set('q', o.search);
      const rows = await apiClient(o).request<Row[]>('GET', `/api/v1/models?${query}`);
      printRows(rows, ['name', 'state', 'description', 'updatedAt'], !!o.json);
    });

  withServer(model.command('show').description('show a model with its versions and aliases, or one version').argument('<project/model[:version]>')).action(async (ref: string, o: Opts) => {
    const { path, version } = parseModelRef(ref);
    const client = apiClient(o);
    if (version !== undefined) {
      printObject(await client.request<Row>('GET', `${path}/versions/${encodeURIComponent(version)}`), !!o.json);
      return;
    }
    const detail = await client.request<Row & { versions: Row[]; aliases: Row[] }>('GET', path);
    if (o.json) {
      printObject(detail, true);
      return;
    }
    const { versions, aliases, properties: _p, ...rest } = detail;
    printObject(rest, false);
    process.stdout.write('\n');
    printRows(versions, ['name', 'state', 'tag', 'digest', 'format', 'aliases', 'createdAt'], false);
    if (aliases.length > 0) {
      process.stdout.write('\n');
      printRows(aliases, ['alias', 'version', 'updatedBy', 'updatedAt'], false);
    }
  });

  const alias = model.command('alias').description('aliases (production, staging, ...) that point at a version');
  withServer(alias.command('set').description('point an alias at a version (atomically, recorded in its history)').argument('<project/model>').argument('<alias>').argument('<version>'))
    .option('--expect <version>', 'only move it if it still points at this version')
    .action(async (ref: string, name: string, version: string, o: Opts & { expect?: string }) => {
      const { path } = parseModelRef(ref);
      const body = o.expect === undefined ? { version } : { version, expect: o.expect };
      const moved = await apiClient(o).request<Row>('PUT', `${path}/aliases/${encodeURIComponent(name)}`, body);
      if (o.json) printObject(moved, true);
      else process.stdout.write(`${name}: ${String(moved.from ?? '(none)')} -> ${String(moved.to)}\n`);
    });
  withServer(alias.command('history').description('who moved an alias (or all aliases of a model), when, from and to').argument('<project/model>').argument('[alias]')).action(async (ref: string, name: string | undefined, o: Opts) => {
    const { path } = parseModelRef(ref);
    const rows = await apiClient(o).request<Row[]>('GET', name === undefined ? `${path}/alias-history` : `${path}/aliases/${encodeURIComponent(name)}/history`);
    printRows(rows, ['at', 'alias', 'from', 'to', 'actor', 'reason'], !!o.json);
  });
  withServer(alias.command('rollback').description('undo the last move of an alias').argument('<project/model>').argument('<alias>')).action(async (ref: string, name: string, o: Opts) => {
    const { path } = parseModelRef(ref);
    const moved = await apiClient(o).request<Row>('POST', `${path}/aliases/${encodeURIComponent(name)}/rollback`);
    if (o.json) printObject(moved, true);
    else process.stdout.write(`${name}: ${String(moved.from)} -> ${String(moved.to)} (rollback)\n`);
  });
  withServer(alias.command('ls').description("list a model's aliases").argument('<project/model>')).action(async (ref: string, o: Opts) => {
    printRows(await apiClient(o).request<Row[]>('GET', `${parseModelRef(ref).path}/aliases`), ['alias', 'version', 'digest', 'updatedBy', 'updatedAt'], !!o.json);
  });

  withServer(model.command('lineage').description('show where a version comes from and what derives from it').argument('<project/model:version>'))
    .option('--add <relation=target>', 'record an edge: fine-tuned-from=<project/model:version>, quantized-from=..., trained-on=<dataset id>, produced-by=<run id>')
    .action(async (ref: string, o: Opts & { add?: string }) => {
      const { path, version } = needVersion(ref);
      const client = apiClient(o);
      const base = `${path}/versions/${encodeURIComponent(version)}/lineage`;
      if (o.add !== undefined) {
        const eq = o.add.indexOf('=');
        if (eq <= 0) throw new Error('--add takes <relation>=<target>');
        const target = o.add.slice(eq + 1);
        const targetRef = /^\d+$/.test(target) ? { id: target } : (() => {
          const t = needVersion(target);
          return { model: t.name, version: t.version };
        })();
        await client.request('POST', base, { relation: o.add.slice(0, eq), target: targetRef });
      }
      const lineage = await client.request<{ upstream: Row[]; downstream: Row[] }>('GET', base);
      if (o.json) {
        printObject(lineage as unknown as Row, true);
        return;
      }
      const rows = [
        ...lineage.upstream.map((l) => ({ direction: 'derives from', ...flatten(l) })),
        ...lineage.downstream.map((l) => ({ direction: 'source of', ...flatten(l) })),
      ];
      printRows(rows, ['direction', 'relation', 'kind', 'target', 'createdBy'], false);
    });
}

function flatten(link: Row): Row {
  const e = link.entity as { kind: string; name: string | null; model?: string | null; id: string };
  const target = e.kind === 'model-version' ? `${e.model ?? '?'}:${e.name ?? '?'}` : `${e.name ?? '(unnamed)'} (id ${e.id})`;
  return { relation: link.relation, kind: e.kind, target, createdBy: link.createdBy };
}
