// `berth retention`: set, show and remove a project's tag retention policy, run it (dry or for real,
// optionally waiting and printing every decision) and list its runs. Each is a thin call of the REST API.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { apiClient, withServerOptions, type ApiClient, type ServerOptions } from '../client.js';
import { printObject, printRows } from '../output.js';

type Opts = ServerOptions & { json?: boolean };
type Row = Record<string, unknown>;
interface Run extends Row {
  id: number;
  status: string;
  counts: Record<string, number>;
  decisions?: Row[];
}

const RUN_COLUMNS = ['id', 'status', 'dryRun', 'trigger', 'operator', 'startedAt', 'finishedAt', 'candidates', 'retained', 'deleted', 'skipped', 'failed', 'error'];
const DECISION_COLUMNS = ['repository', 'tags', 'digest', 'pushedAt', 'action', 'rule', 'reason'];
const RULE_COLUMNS = ['rule', 'template', 'param', 'repositories', 'tags', 'untagged', 'disabled'];

/** Registers `berth retention ...` on `program`. */
export function registerRetentionCommands(program: Command): void {
  const retention = program.command('retention').description('delete old tags by policy (Harbor tag retention): keep the latest K, the recently pulled ...');

  withServerOptions(retention.command('set').description("set a project's retention policy from a JSON or YAML file").argument('<project>')
    .requiredOption('--file <path>', 'the policy document: {rules: [...], schedule?: {intervalHours}, enabled}'))
    .action(async (project: string, o: Opts & { file: string }) => {
      let policy: unknown;
      try {
        policy = parseYaml(readFileSync(o.file, 'utf8'));
      } catch (err) {
        throw new Error(`cannot read ${o.file}: ${(err as Error).message}`);
      }
      const stored = await apiClient(o).request<Row>('PUT', policyPath(project), policy);
      printPolicy(stored, !!o.json);
    });

  withServerOptions(retention.command('show').description("show a project's retention policy").argument('<project>')).action(async (project: string, o: Opts) => {
    printPolicy(await apiClient(o).request<Row>('GET', policyPath(project)), !!o.json);
  });

  withServerOptions(retention.command('rm').description("remove a project's retention policy").argument('<project>')).action(async (project: string, o: Opts) => {
    await apiClient(o).request('DELETE', policyPath(project));
  });

  withServerOptions(retention.command('run').description('run the policy now; --dry-run only decides and records')
    .argument('<project>')
    .option('--dry-run', 'decide and record, delete nothing')
    .option('--wait', 'wait for the run to finish and print its decisions'))
    .action(async (project: string, o: Opts & { dryRun?: boolean; wait?: boolean }) => {
      const client = apiClient(o);
      const started = await client.request<Run>('POST', `${policyPath(project)}/runs`, { dryRun: !!o.dryRun });
      if (!o.wait) return printObject(flatRun(started), !!o.json);
      const run = await waitForRun(client, project, started.id);
      printRun(run, !!o.json);
      if (run.status !== 'succeeded') process.exitCode = 1;
    });

  withServerOptions(retention.command('runs').description("list a project's retention runs, newest first; with an id, show that run's decisions")
    .argument('<project>').argument('[id]')
    .option('--limit <n>', 'runs to list', '20'))
    .action(async (project: string, id: string | undefined, o: Opts & { limit: string }) => {
      const client = apiClient(o);
      if (id !== undefined) return printRun(await client.request<Run>('GET', `${policyPath(project)}/runs/${runId(id)}`), !!o.json);
      const runs = await client.request<Run[]>('GET', `${policyPath(project)}/runs?limit=${encodeURIComponent(o.limit)}`);
      printRows(runs.map(flatRun), RUN_COLUMNS, !!o.json);
    });
}

async function waitForRun(client: ApiClient, project: string, id: number): Promise<Run> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const run = await client.request<Run>('GET', `${policyPath(project)}/runs/${id}`);
    if (run.status !== 'running') return run;
    await new Promise((r) => setTimeout(r, delay));
  }
}

function printPolicy(p: Row, json: boolean): void {
  if (json) return printObject(p, true);
  const schedule = p.schedule as { intervalHours?: number } | null;
  printObject({ project: p.project, enabled: p.enabled, schedule: schedule?.intervalHours ? `every ${schedule.intervalHours} h` : 'manual only', updatedAt: p.updatedAt, updatedBy: p.updatedBy }, false);
  process.stdout.write('\n');
  const rules = (p.rules as Array<{ disabled: boolean; template: string; params: Record<string, number>; tagSelector: Row; repositorySelector: Row }>).map((r, i) => ({
    rule: i, template: r.template, param: r.params[r.template] ?? '-',
    repositories: `${r.repositorySelector.decoration === 'repoExcludes' ? 'not ' : ''}${String(r.repositorySelector.pattern)}`,
    tags: `${r.tagSelector.decoration === 'excludes' ? 'not ' : ''}${String(r.tagSelector.pattern)}`, untagged: !!r.tagSelector.untagged, disabled: r.disabled,
  }));
  printRows(rules, RULE_COLUMNS, false);
}

function printRun(run: Run, json: boolean): void {
  if (json) return printObject(run, true);
  const decisions = (run.decisions ?? []).map((d) => ({ ...d, digest: String(d.digest).slice(0, 19) }));
  printRows(decisions, DECISION_COLUMNS, false);
  const c = run.counts;
  process.stdout.write(`\nrun ${run.id} ${run.status}${run.dryRun ? ' (dry run)' : ''}: ${c.candidates} judged, ${c.retained} retained, ${c.deleted} ${run.dryRun ? 'would be deleted' : 'deleted'}, ${c.skipped} skipped, ${c.failed} failed${run.error ? ` (${String(run.error)})` : ''}\n`);
}

function flatRun(r: Run): Row {
  const { counts, decisions: _decisions, ...rest } = r;
  return { ...rest, ...counts };
}

function policyPath(project: string): string {
  return `/api/v1/projects/${encodeURIComponent(project)}/retention`;
}

function runId(id: string): string {
  if (!/^\d+$/.test(id)) throw new Error(`"${id}" is not a run id (a number)`);
  return id;
}
