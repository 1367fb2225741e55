// `berth immutable`: add, list, change and remove a project's tag immutability rules. Each one is a
// thin call of the REST API (/api/v1/projects/<project>/immutable-rules).
import type { Command } from 'commander';
import { apiClient, withServerOptions, type ServerOptions } from '../client.js';
import { printObject, printRows } from '../output.js';

type Opts = ServerOptions & { json?: boolean };
type Row = Record<string, unknown>;
type RuleOpts = Opts & { repo?: string; tag?: string; excludeRepo?: boolean; excludeTag?: boolean; disabled?: boolean };

const RULE_COLUMNS = ['id', 'repository', 'repositoryDecoration', 'tag', 'tagDecoration', 'disabled', 'createdBy'];

/** Registers `berth immutable ...` on `program`. */
export function registerImmutableCommands(program: Command): void {
  const immutable = program.command('immutable').description('tag immutability rules: matching tags can be neither moved nor deleted');

  withServerOptions(immutable.command('add').description('add a rule to a project')
    .argument('<project>')
    .option('--repo <pattern>', 'repositories it covers, without the project prefix (doublestar: *, **, ?, {a,b})', '**')
    .requiredOption('--tag <pattern>', 'tags it covers, e.g. "v*" or "{prod,release-*}"')
    .option('--exclude-repo', 'cover the repositories the pattern does NOT match')
    .option('--exclude-tag', 'cover the tags the pattern does NOT match')
    .option('--disabled', 'create it disabled'))
    .action(async (project: string, o: RuleOpts) => {
      const body: Row = { repository: o.repo, tag: o.tag, repositoryDecoration: o.excludeRepo ? 'excludes' : 'matches', tagDecoration: o.excludeTag ? 'excludes' : 'matches', disabled: !!o.disabled };
      printObject(await apiClient(o).request<Row>('POST', rulesPath(project), body), !!o.json);
    });

  withServerOptions(immutable.command('ls').description("list a project's rules").argument('<project>')).action(async (project: string, o: Opts) => {
    printRows(await apiClient(o).request<Row[]>('GET', rulesPath(project)), RULE_COLUMNS, !!o.json);
  });

  withServerOptions(immutable.command('set').description('change a rule').argument('<project>').argument('<id>')
    .option('--repo <pattern>').option('--tag <pattern>').option('--enable').option('--disable'))
    .action(async (project: string, id: string, o: Opts & { repo?: string; tag?: string; enable?: boolean; disable?: boolean }) => {
      if (o.enable && o.disable) throw new Error('pass --enable or --disable, not both');
      const body: Row = {};
      if (o.repo !== undefined) body.repository = o.repo;
      if (o.tag !== undefined) body.tag = o.tag;
      if (o.enable || o.disable) body.disabled = !!o.disable;
      printObject(await apiClient(o).request<Row>('PATCH', `${rulesPath(project)}/${ruleId(id)}`, body), !!o.json);
    });

  withServerOptions(immutable.command('rm').description('remove a rule').argument('<project>').argument('<id>')).action(async (project: string, id: string, o: Opts) => {
    await apiClient(o).request('DELETE', `${rulesPath(project)}/${ruleId(id)}`);
  });
}

function rulesPath(project: string): string {
  return `/api/v1/projects/${encodeURIComponent(project)}/immutable-rules`;
}

function ruleId(id: string): string {
  if (!/^\d+$/.test(id)) throw new Error(`"${id}" is not a rule id (a number)`);
  return id;
}
