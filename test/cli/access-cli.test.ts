// The `berth` access commands against a listening Berth: login stores docker-style credentials that
// skopeo can use, and projects, robots, tokens and the audit log work end to end.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/berth.js');
const ADMIN_PASSWORD = 'cli-admin-password';

let berth: BerthProcess;
let home: string;
const env = () => ({ ...process.env, DOCKER_CONFIG: join(home, 'docker'), XDG_CONFIG_HOME: join(home, 'config'), BERTH_SERVER: '', BERTH_TOKEN: '' });

async function berthCli(args: string[], extraEnv: Record<string, string> = {}, input?: string) {
  const child = run(process.execPath, [BIN, ...args], { env: { ...env(), ...extraEnv } });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  return child;
}

beforeAll(async () => {
  berth = await startBerth({ adminPassword: ADMIN_PASSWORD });
  home = mkdtempSync(join(tmpdir(), 'berth-cli-'));
});
afterAll(async () => {
  await berth.dispose();
  rmSync(home, { recursive: true, force: true });
});

describe('berth access commands', () => {
  it('refuses a wrong password at login and stores nothing', async () => {
    await expect(berthCli(['login', berth.url, '-u', 'admin', '-p', 'wrong-password'])).rejects.toMatchObject({ stderr: expect.stringMatching(/invalid username or password/) });
    expect(() => statSync(join(home, 'docker', 'config.json'))).toThrow();
  });

  it('logs in with --password-stdin and stores docker-style credentials with private permissions', async () => {
    const { stdout } = await berthCli(['login', berth.url, '-u', 'admin', '--password-stdin'], {}, `${ADMIN_PASSWORD}\n`);
    expect(stdout).toContain('Logged in');
    const path = join(home, 'docker', 'config.json');
    const config = JSON.parse(readFileSync(path, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(config.auths[berth.host]!.auth, 'base64').toString()).toBe(`admin:${ADMIN_PASSWORD}`);
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it('creates a project, a user, a membership and a robot using the stored login', async () => {
    await berthCli(['project', 'create', 'models']);
    const set = JSON.parse((await berthCli(['project', 'set', 'models', '--prevent-dangerous-pulls', '--json'])).stdout) as { public: boolean; preventDangerousPulls: boolean };
    expect(set).toMatchObject({ public: false, preventDangerousPulls: true });
    await berthCli(['user', 'create', 'dana', '--password', 'dana-password']);
    await berthCli(['member', 'add', 'models', 'dana', 'developer']);
    const members = JSON.parse((await berthCli(['member', 'ls', 'models', '--json'])).stdout) as Array<{ username: string; role: string }>;
    expect(members).toEqual([{ username: 'admin', role: 'projectAdmin' }, { username: 'dana', role: 'developer' }]);
    const robot = JSON.parse((await berthCli(['robot', 'create', 'models', 'ci', '--permissions', 'pull,push', '--json'])).stdout) as { name: string; secret: string };
    expect(robot.name).toBe('robot$models+ci');
    expect(robot.secret).toMatch(/^berth_robot_\d+_/);
    const whoami = JSON.parse((await berthCli(['whoami', '--json', '--creds', `${robot.name}:${robot.secret}`])).stdout) as { kind: string; project: string };
    expect(whoami).toMatchObject({ kind: 'robot', project: 'models' });
  });

  it('prints a personal access token that works as BERTH_TOKEN until revoked', async () => {
    const token = (await berthCli(['token', 'create', '--name', 'ci', '--scope', 'models:pull'], { BERTH_SERVER: berth.url })).stdout.trim();
    expect(token).toMatch(/^berth_pat_/);
    const me = JSON.parse((await berthCli(['whoami', '--json', '--server', berth.url], { BERTH_TOKEN: token })).stdout) as { username: string };
    expect(me.username).toBe('admin');
    const tokens = JSON.parse((await berthCli(['token', 'ls', '--json'])).stdout) as Array<{ id: string }>;
    await berthCli(['token', 'revoke', tokens[0]!.id]);
    await expect(berthCli(['whoami', '--server', berth.url], { BERTH_TOKEN: token })).rejects.toMatchObject({ stderr: expect.stringMatching(/revoked/) });
  });

  it('shows the audit log of the project', async () => {
    const entries = JSON.parse((await berthCli(['audit', 'models', '--json'])).stdout) as Array<{ action: string; actor: string }>;
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['POST /api/v1/projects/:project/robots', 'PUT /api/v1/projects/:project/members/:username']));
  });
});
