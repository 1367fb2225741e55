// CLI commands for access management: login/logout, whoami, projects, members, users, robots,
// personal access tokens and the audit log. Each one is a thin call of the REST API.
import type { Command } from 'commander';
import { apiClient, normaliseServer, withServerOptions as serverOptions, type ServerOptions } from '../client.js';
import { defaultServer, removeCredentials, writeCredentials } from '../credentials-file.js';
import { printObject, printRows } from '../output.js';
import { promptSecret, readStdin } from '../prompt.js';

type Opts = ServerOptions & { json?: boolean };
type Row = Record<string, unknown>;

/** Registers the access-management commands on `program`. */
export function registerAccessCommands(program: Command): void {
  program
    .command('login')
    .description('check credentials against a server and store them where docker, podman and skopeo find them')
    .argument('[server]', 'server URL or host:port')
    .option('-u, --username <name>', 'user name, or robot$<project>+<name>')
    .option('-p, --password <secret>', 'password, personal access token or robot secret')
    .option('--password-stdin', 'read the secret from stdin')
    .action(async (server: string | undefined, opts: { username?: string; password?: string; passwordStdin?: boolean }) => {
      const chosen = server || process.env.BERTH_SERVER || defaultServer();
      if (!chosen) throw new Error('which server? berth login <server>');
      const url = normaliseServer(chosen);
      const username = opts.username ?? process.env.BERTH_USERNAME;
      if (!username) throw new Error('a username is required (-u)');
      const secret = opts.password ?? (opts.passwordStdin ? await readStdin() : await promptSecret('Password: '));
      const me = await apiClient({ server: url, creds: `${username}:${secret}` }).request<Row>('GET', '/api/v1/users/current');
      writeCredentials(url, { username, secret });
      process.stdout.write(`Logged in to ${url} as ${String(me.username ?? me.name)}\n`);
    });

  program
    .command('logout')
    .description('forget stored credentials for a server')
    .argument('[server]')
    .action(async (server: string | undefined) => {
      const chosen = server ?? defaultServer();
      if (!chosen) throw new Error('which server? berth logout <server>');
      process.stdout.write(removeCredentials(normaliseServer(chosen)) ? 'Logged out\n' : 'Not logged in\n');
    });

  serverOptions(program.command('whoami').description('show who the credentials belong to')).action(async (o: Opts) => {
    printObject(await apiClient(o).request<Row>('GET', '/api/v1/users/current'), !!o.json);
  });

  const project = program.command('project').description('manage projects');
  serverOptions(project.command('create').argument('<name>').option('--public', 'allow anonymous pulls')).action(async (name: string, o: Opts & { public?: boolean }) => {
    printObject(await apiClient(o).request<Row>('POST', '/api/v1/projects', { name, public: !!o.public }), !!o.json);
  });
  serverOptions(project.command('ls').description('list the projects you can see')).action(async (o: Opts) => {
    printRows(await apiClient(o).request<Row[]>('GET', '/api/v1/projects'), ['name', 'public', 'createdAt'], !!o.json);
  });
  serverOptions(
    project
      .command('set')
      .argument('<name>')
      .option('--public')
      .option('--private')
      .option('--prevent-dangerous-pulls', 'refuse pulls of model versions whose scan found dangerous imports')
      .option('--allow-dangerous-pulls'),
  ).action(async (name: string, o: Opts & { public?: boolean; private?: boolean; preventDangerousPulls?: boolean; allowDangerousPulls?: boolean }) => {
    if (o.public && o.private) throw new Error('pass at most one of --public or --private');
    if (o.preventDangerousPulls && o.allowDangerousPulls) throw new Error('pass at most one of --prevent-dangerous-pulls or --allow-dangerous-pulls');
    const patch = {
      ...(o.public || o.private ? { public: !!o.public } : {}),
      ...(o.preventDangerousPulls || o.allowDangerousPulls ? { preventDangerousPulls: !!o.preventDangerousPulls } : {}),
    };
    if (Object.keys(patch).length === 0) throw new Error('nothing to change: pass --public, --private, --prevent-dangerous-pulls or --allow-dangerous-pulls');
    printObject(await apiClient(o).request<Row>('PATCH', `/api/v1/projects/${enc(name)}`, patch), !!o.json);
  });
  serverOptions(project.command('rm').argument('<name>')).action(async (name: string, o: Opts) => {
    await apiClient(o).request('DELETE', `/api/v1/projects/${enc(name)}`);
  });

  const member = program.command('member').description('manage project members');
  serverOptions(member.command('add').argument('<project>').argument('<user>').argument('<role>', 'projectAdmin, maintainer, developer, guest or limitedGuest')).action(
    async (p: string, user: string, role: string, o: Opts) => {
      printObject(await apiClient(o).request<Row>('PUT', `/api/v1/projects/${enc(p)}/members/${enc(user)}`, { role }), !!o.json);
    },
  );
  serverOptions(member.command('ls').argument('<project>')).action(async (p: string, o: Opts) => {
    printRows(await apiClient(o).request<Row[]>('GET', `/api/v1/projects/${enc(p)}/members`), ['username', 'role'], !!o.json);
  });
  serverOptions(member.command('rm').argument('<project>').argument('<user>')).action(async (p: string, user: string, o: Opts) => {
    await apiClient(o).request('DELETE', `/api/v1/projects/${enc(p)}/members/${enc(user)}`);
  });

  const user = program.command('user').description('manage user accounts (system administrators)');
  serverOptions(user.command('create').argument('<name>').option('--password <p>').option('--password-stdin').option('--sysadmin')).action(
    async (name: string, o: Opts & { password?: string; passwordStdin?: boolean; sysadmin?: boolean }) => {
      const password = o.password ?? (o.passwordStdin ? await readStdin() : await promptSecret(`Password for ${name}: `));
      printObject(await apiClient(o).request<Row>('POST', '/api/v1/users', { username: name, password, sysadmin: !!o.sysadmin }), !!o.json);
    },
  );
  serverOptions(user.command('ls')).action(async (o: Opts) => {
    printRows(await apiClient(o).request<Row[]>('GET', '/api/v1/users'), ['username', 'sysadmin', 'disabled', 'createdAt'], !!o.json);
  });
  serverOptions(user.command('rm').argument('<name>')).action(async (name: string, o: Opts) => {
    await apiClient(o).request('DELETE', `/api/v1/users/${enc(name)}`);
  });

  const robot = program.command('robot').description('manage robot accounts of a project');
  serverOptions(
    robot
      .command('create')
      .argument('<project>')
      .argument('<name>')
      .option('--permissions <list>', 'comma-separated: pull, push, delete, tag.create, tag.delete', 'pull')
      .option('--expires <days>', 'lifetime in days, -1 for never', '30')
      .option('--description <text>'),
  ).action(async (p: string, name: string, o: Opts & { permissions: string; expires: string; description?: string }) => {
    const body = { name, permissions: o.permissions.split(',').map((s) => s.trim()), expiresInDays: Number(o.expires), description: o.description };
    const created = await apiClient(o).request<Row>('POST', `/api/v1/projects/${enc(p)}/robots`, body);
    printObject(created, !!o.json);
    if (!o.json) process.stderr.write('The secret is shown only once; store it now.\n');
  });
  serverOptions(robot.command('ls').argument('<project>')).action(async (p: string, o: Opts) => {
    printRows(await apiClient(o).request<Row[]>('GET', `/api/v1/projects/${enc(p)}/robots`), ['id', 'name', 'permissions', 'disabled', 'expiresAt'], !!o.json);
  });
  serverOptions(robot.command('rotate').argument('<project>').argument('<id>')).action(async (p: string, id: string, o: Opts) => {
    printObject(await apiClient(o).request<Row>('POST', `/api/v1/projects/${enc(p)}/robots/${enc(id)}/secret`), !!o.json);
  });
  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    serverOptions(robot.command(verb).argument('<project>').argument('<id>')).action(async (p: string, id: string, o: Opts) => {
      printObject(await apiClient(o).request<Row>('PATCH', `/api/v1/projects/${enc(p)}/robots/${enc(id)}`, { disabled }), !!o.json);
    });
  }
  serverOptions(robot.command('rm').argument('<project>').argument('<id>')).action(async (p: string, id: string, o: Opts) => {
    await apiClient(o).request('DELETE', `/api/v1/projects/${enc(p)}/robots/${enc(id)}`);
  });

  const token = program.command('token').description('manage your personal access tokens');
  serverOptions(
    token
      .command('create')
      .option('--name <name>', 'what the token is for', 'cli')
      .option('--expires <days>', 'lifetime in days (1-365)', '30')
      .option('--scope <scope...>', 'pull, push, delete, admin, optionally <project>:<scope>', ['pull', 'push']),
  ).action(async (o: Opts & { name: string; expires: string; scope: string[] }) => {
    const created = await apiClient(o).request<Row>('POST', '/api/v1/tokens', { name: o.name, scopes: o.scope, expiresInDays: Number(o.expires) });
    if (o.json) printObject(created, true);
    else process.stdout.write(`${String(created.token)}\n`);
  });
  serverOptions(token.command('ls')).action(async (o: Opts) => {
    printRows(await apiClient(o).request<Row[]>('GET', '/api/v1/tokens'), ['id', 'name', 'scopes', 'expiresAt', 'revokedAt', 'lastUsedAt'], !!o.json);
  });
  serverOptions(token.command('revoke').argument('<id>')).action(async (id: string, o: Opts) => {
    await apiClient(o).request('DELETE', `/api/v1/tokens/${enc(id)}`);
  });

  serverOptions(program.command('audit').description('show the audit log of a project (or of everything, for administrators)').argument('[project]').option('--limit <n>', 'entries', '50')).action(
    async (p: string | undefined, o: Opts & { limit: string }) => {
      const path = p ? `/api/v1/projects/${enc(p)}/audit?limit=${enc(o.limit)}` : `/api/v1/audit?limit=${enc(o.limit)}`;
      printRows(await apiClient(o).request<Row[]>('GET', path), ['at', 'actor', 'action', 'resource', 'status', 'sourceAddress'], !!o.json);
    },
  );
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
