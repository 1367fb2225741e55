// skopeo (containers/image) against a Berth with access control on: the Bearer token flow with
// --src-creds/--dest-creds, a docker-style authfile holding a robot account, anonymous pulls of a
// public project, and refusals (anonymous on a private project, a pull-only robot pushing). Digests
// of what was pushed and what came back must match.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { apiClient, must, mustPushImage, RegistryClient, type Credentials } from '../support/registry-auth.js';
import { toolAvailable } from '../support/tools.js';

const HAVE_SKOPEO = toolAvailable('skopeo');
const ADMIN: Credentials = { username: 'admin', password: 'xxxxxxxx' };
const CAROL: Credentials = { username: 'carol', password: 'carol-password' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(!HAVE_SKOPEO)('skopeo with auth', () => {
  let berth: BerthProcess;
  let work: string;
  let emptyAuthFile: string;
  let pushed: { digest: string; bytes: string };
  let pushedPublic: { digest: string };
  let ci: Credentials;
  let reader: Credentials;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-skopeo-auth-'));
    emptyAuthFile = join(work, 'empty-auth.json');
    writeFileSync(emptyAuthFile, '{"auths":{}}');
    // Request logs at info show which endpoints skopeo used (the token flow check reads them).
    berth = await startBerth({ adminPassword: ADMIN.password, env: { BERTH_LOG_LEVEL: 'info' } });
    const api = apiClient(berth.url, ADMIN);
    await must(api.post('/api/v1/users', { username: CAROL.username, password: CAROL.password }), 201);
    await must(api.post('/api/v1/projects', { name: 'llm' }), 201);
    await must(api.post('/api/v1/projects', { name: 'public', public: true }), 201);
    await must(api.put('/api/v1/projects/llm/members/carol', { role: 'developer' }), 200);
    const robot = async (name: string, permissions: string[]) => {
      const r = await must(api.post('/api/v1/projects/llm/robots', { name, permissions, expiresInDays: 1 }), 201);
      return { username: r.body.name as string, password: r.body.secret as string };
    };
    ci = await robot('ci', ['pull', 'push']);
    reader = await robot('reader', ['pull']);
    const carol = new RegistryClient(berth.url, CAROL);
    pushed = await mustPushImage(carol, 'llm/a', '1', 'skopeo-llm-a', ['first layer', 'second layer']);
    pushedPublic = await mustPushImage(new RegistryClient(berth.url, ADMIN), 'public/x', '1', 'skopeo-public-x');
  });

  afterAll(async () => {
    await berth?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  // No ambient credentials: REGISTRY_AUTH_FILE points at an empty file unless a test passes --authfile.
  const skopeo = (...args: string[]) => run(['--insecure-policy', ...args], { REGISTRY_AUTH_FILE: emptyAuthFile, HOME: work });
  const ref = (repo: string) => `docker://${berth.host}/${repo}`;
  const dirDigest = (dir: string) => `sha256:${createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest('hex')}`;
  const storedDigest = async (repo: string, tag: string) => {
    const res = await new RegistryClient(berth.url, ADMIN).fetch(`/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    return res.status === 200 ? res.headers.get('docker-content-digest') : null;
  };
  const mustSucceed = (r: Run) => expect(r.code, `skopeo failed:\n${r.stderr}\n--- berth ---\n${berth.output()}`).toBe(0);

  it('pulls with --src-creds and pushes with --dest-creds through the Bearer flow', async () => {
    const dir = join(work, 'carol-pull');
    const creds = `${CAROL.username}:${CAROL.password}`;
    mustSucceed(await skopeo('copy', '--preserve-digests', '--src-tls-verify=false', '--src-creds', creds, `${ref('llm/a')}:1`, `dir:${dir}`));
    expect(dirDigest(dir)).toBe(pushed.digest);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(pushed.bytes);
    mustSucceed(await skopeo('copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', creds, `dir:${dir}`, `${ref('llm/b')}:1`));
    expect(await storedDigest('llm/b', '1')).toBe(pushed.digest);
    // skopeo went through the token endpoint (Bearer), with the credentials only on that request.
    expect(berth.output()).toMatch(/\/auth\/token\?[^"]*account=carol/);
  });

  it("uses a robot account's name and secret from a docker-style authfile", async () => {
    const authfile = join(work, 'robot-auth.json');
    const auth = Buffer.from(`${ci.username}:${ci.password}`).toString('base64');
    writeFileSync(authfile, JSON.stringify({ auths: { [berth.host]: { auth } } }));
    const dir = join(work, 'robot-pull');
    mustSucceed(await skopeo('copy', '--preserve-digests', '--authfile', authfile, '--src-tls-verify=false', `${ref('llm/a')}:1`, `dir:${dir}`));
    expect(dirDigest(dir)).toBe(pushed.digest);
    mustSucceed(await skopeo('copy', '--preserve-digests', '--authfile', authfile, '--dest-tls-verify=false', `dir:${dir}`, `${ref('llm/c')}:1`));
    expect(await storedDigest('llm/c', '1')).toBe(pushed.digest);
    const inspected = await skopeo('inspect', '--authfile', authfile, '--tls-verify=false', '--raw', `${ref('llm/c')}:1`);
    mustSucceed(inspected);
    expect(inspected.stdout).toBe(pushed.bytes);
  });

  it('inspects a public project anonymously, with no credentials at all', async () => {
    const inspected = await skopeo('inspect', '--no-creds', '--tls-verify=false', '--raw', `${ref('public/x')}:1`);
    mustSucceed(inspected);
    expect(`sha256:${createHash('sha256').update(inspected.stdout).digest('hex')}`).toBe(pushedPublic.digest);
  });

  it('refuses an anonymous inspect of a private project', async () => {
    const inspected = await skopeo('inspect', '--no-creds', '--tls-verify=false', '--raw', `${ref('llm/a')}:1`);
    expect(inspected.code).not.toBe(0);
    expect(inspected.stderr).toMatch(/unauthorized|authentication required/i);
    expect(inspected.stdout).not.toContain(pushed.bytes);
  });

  it('refuses a push by a pull-only robot, and stores nothing', async () => {
    const dir = join(work, 'reader-pull');
    const creds = `${reader.username}:${reader.password}`;
    mustSucceed(await skopeo('copy', '--preserve-digests', '--src-tls-verify=false', '--src-creds', creds, `${ref('llm/a')}:1`, `dir:${dir}`));
    expect(dirDigest(dir)).toBe(pushed.digest);
    const push = await skopeo('copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', creds, `dir:${dir}`, `${ref('llm/d')}:1`);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/unauthorized|authentication required|denied/i);
    expect(await storedDigest('llm/d', '1')).toBeNull();
  });

  it('refuses wrong credentials', async () => {
    const inspected = await skopeo('inspect', '--tls-verify=false', '--creds', `${CAROL.username}:not-her-password`, '--raw', `${ref('llm/a')}:1`);
    expect(inspected.code).not.toBe(0);
    expect(inspected.stderr).toMatch(/unauthorized|authentication required|invalid/i);
  });
});

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile('skopeo', args, { env: { ...process.env, ...env }, maxBuffer: 16 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
