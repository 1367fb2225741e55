// `berth repo` and `berth artifact`: list and delete a project's repositories and artifacts through
// the REST API (/api/v1/projects/:project/repositories/...), as tables or, with --json, as JSON.
import type { Command } from 'commander';
import { apiClient, withServerOptions, type ServerOptions } from '../client.js';
import { printRows } from '../output.js';

type Opts = ServerOptions & { json?: boolean; q?: string; page: string; pageSize: string; all?: boolean };
type Row = Record<string, unknown>;

const REPO_COLUMNS = ['name', 'artifactCount', 'tagCount', 'updatedAt'];
const ARTIFACT_COLUMNS = ['digest', 'tags', 'size', 'artifactType', 'pushedAt', 'pulledAt', 'model'];

/** Registers `berth repo ...` and `berth artifact ...` on `program`. */
export function registerRepoCommands(program: Command): void {
  const repo = program.command('repo').description("list and delete a project's repositories");
  withServerOptions(paging(repo.command('ls').description('list the repositories of a project').argument('<project>').option('--q <text>', 'only names containing this')))
    .action(async (project: string, o: Opts) => {
      const query = new URLSearchParams({ page: o.page, page_size: o.pageSize, ...(o.q ? { q: o.q } : {}) });
      printRows(await apiClient(o).request<Row[]>('GET', `${projectPath(project)}/repositories?${query}`), REPO_COLUMNS, !!o.json);
    });
  withServerOptions(repo.command('rm').description('delete a repository: every artifact and tag in it (refused while an immutable tag is there)').argument('<project/repository>'))
    .action(async (name: string, o: Opts) => {
      const { project, repository } = split(name);
      await apiClient(o).request('DELETE', repositoryPath(project, repository));
      process.stdout.write(`deleted ${name}\n`);
    });

  const artifact = program.command('artifact').description('list and delete the artifacts of a repository');
  withServerOptions(paging(artifact.command('ls').description('list the artifacts of a repository, newest pushed first').argument('<project/repository>')))
    .action(async (name: string, o: Opts) => {
      const { project, repository } = split(name);
      const query = new URLSearchParams({ page: o.page, page_size: o.pageSize });
      const rows = await apiClient(o).request<Row[]>('GET', `${repositoryPath(project, repository)}/artifacts?${query}`);
      printRows(o.json ? rows : rows.map(artifactRow), ARTIFACT_COLUMNS, !!o.json);
    });
  withServerOptions(artifact.command('rm').description('delete an artifact (<project/repository>@<digest>: with its tags) or only a tag (<project/repository>:<tag>)').argument('<reference>'))
    .action(async (reference: string, o: Opts) => {
      const at = reference.indexOf('@');
      const colon = reference.lastIndexOf(':');
      const cut = at !== -1 ? at : colon > reference.lastIndexOf('/') ? colon : -1;
      if (cut === -1) throw new Error('name an artifact as <project>/<repository>@<digest> or a tag as <project>/<repository>:<tag>');
      const { project, repository } = split(reference.slice(0, cut));
      await apiClient(o).request('DELETE', `${repositoryPath(project, repository)}/artifacts/${encodeURIComponent(reference.slice(cut + 1))}`);
      process.stdout.write(`deleted ${reference}\n`);
    });
}

function paging(cmd: Command): Command {
  return cmd.option('--page <n>', 'page number', '1').option('--page-size <n>', 'entries per page (at most 100)', '100');
}

function artifactRow(a: Row): Row {
  const tags = (a.tags as Array<{ name: string; immutable: boolean }> | undefined) ?? [];
  const model = a.modelVersion as { model: string; version: string; scanStatus: string | null } | undefined;
  return {
    ...a,
    digest: String(a.digest).slice(0, 19),
    tags: tags.map((t) => (t.immutable ? `${t.name}(immutable)` : t.name)),
    model: model ? `${model.version}${model.scanStatus ? ` (${model.scanStatus})` : ''}` : null,
  };
}

function split(name: string): { project: string; repository: string } {
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) throw new Error(`"${name}" is not <project>/<repository>`);
  return { project: name.slice(0, slash), repository: name.slice(slash + 1) };
}

function projectPath(project: string): string {
  return `/api/v1/projects/${encodeURIComponent(project)}`;
}

function repositoryPath(project: string, repository: string): string {
  return `${projectPath(project)}/repositories/${encodeURIComponent(repository)}`;
}
