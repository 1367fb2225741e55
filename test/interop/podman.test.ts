// Interop with podman (containers/image and containers/storage, as a platform team's workstation or CI
// runner uses them): `podman login` through Berth's Docker token auth, `podman push` of a locally built
// image into a private project, `podman pull` back with the same manifest digest and image id, a
// pull-only robot account that can pull but not push, anonymous pulls of a public project only, and
// a logged-out pull of a private one refused. Podman runs as the test's user with its own vfs storage,
// auth file and registries.conf under a temporary directory, so nothing on the machine is touched.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { apiClient, must, type Credentials } from '../support/registry-auth.js';
import { expectToolOk, runTool, type ToolRun } from '../support/skopeo.js';
import { toolAvailable } from '../support/tools.js';

const HAVE_PODMAN = toolAvailable('podman');
const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };
const MANIFEST_TYPES = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

describe.skipIf(!HAVE_PODMAN)('podman against Berth', () => {
  let berth: BerthProcess;
  let work: string;
  let env: Record<string, string>;

  const podman = async (...args: string[]): Promise<ToolRun> => runTool('podman', args, env);
  const podmanOk = async (...args: string[]): Promise<string> => expectToolOk(await podman(...args), `podman ${args[0]}`).stdout.trim();
  const login = (username: string, password: string) => podmanOk('login', '--tls-verify=false', '-u', username, '-p', password, berth.host);
  /** The manifest digest Berth serves for `repo:tag`, from a HEAD with the admin's Basic credentials. */
  const servedDigest = async (repo: string, tag: string) => {
    const res = await fetch(`${berth.url}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: MANIFEST_TYPES, authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` },
    });
    return res.status === 200 ? res.headers.get('docker-content-digest') : `HTTP ${res.status}`;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-podman-'));
    mkdirSync(join(work, 'rootfs'));
    writeFileSync(join(work, 'storage.conf'), `[storage]\ndriver = "vfs"\nrunroot = "${join(work, 'run')}"\ngraphroot = "${join(work, 'graph')}"\n`);
    writeFileSync(join(work, 'registries.conf'), 'unqualified-search-registries = []\n');
    writeFileSync(join(work, 'auth.json'), '{}');
    env = { CONTAINERS_STORAGE_CONF: join(work, 'storage.conf'), CONTAINERS_REGISTRIES_CONF: join(work, 'registries.conf'), REGISTRY_AUTH_FILE: join(work, 'auth.json') };
    berth = await startBerth({ adminPassword: ADMIN.password });
    const admin = apiClient(berth.url, ADMIN);
    await must(admin.post('/api/v1/projects', { name: 'team', public: false }), 201);
    await must(admin.post('/api/v1/projects', { name: 'open', public: true }), 201);
    // A one-file image built locally, as `podman build` would leave one (import needs no registry).
    writeFileSync(join(work, 'rootfs', 'weights.txt'), 'not really weights\n');
    expectToolOk(await runTool('tar', ['-C', join(work, 'rootfs'), '-cf', join(work, 'rootfs.tar'), '.']), 'tar');
    await podmanOk('import', join(work, 'rootfs.tar'), 'localhost/tiny:v1');
  }, 120_000);

  afterAll(async () => {
    await berth?.dispose();
    if (work) {
      // vfs layers are plain directories, but podman may leave read-only ones behind.
      await runTool('chmod', ['-R', 'u+w', work]);
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('logs in with token auth, pushes into a private project, and pulls back the same digest and image', async () => {
    expect(await login(ADMIN.username, ADMIN.password)).toContain('Login Succeeded');
    expect(JSON.parse(readFileSync(join(work, 'auth.json'), 'utf8')).auths[berth.host]).toBeDefined();
    const imageId = await podmanOk('image', 'inspect', '--format', '{{.Id}}', 'localhost/tiny:v1');
    const digestFile = join(work, 'pushed.digest');
    await podmanOk('push', '--tls-verify=false', '--digestfile', digestFile, 'localhost/tiny:v1', `${berth.host}/team/tiny:v1`);
    const pushed = readFileSync(digestFile, 'utf8').trim();
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await servedDigest('team/tiny', 'v1')).toBe(pushed);

    await podmanOk('rmi', '--all', '--force');
    await podmanOk('pull', '--tls-verify=false', `${berth.host}/team/tiny:v1`);
    expect(await podmanOk('image', 'inspect', '--format', '{{.Digest}}', `${berth.host}/team/tiny:v1`)).toBe(pushed);
    expect(await podmanOk('image', 'inspect', '--format', '{{.Id}}', `${berth.host}/team/tiny:v1`)).toBe(imageId);
    await podmanOk('tag', `${berth.host}/team/tiny:v1`, 'localhost/tiny:v1');
  });

  it('lets a pull-only robot pull but not push, and says why', async () => {
    const robot = await must(apiClient(berth.url, ADMIN).post('/api/v1/projects/team/robots', { name: 'puller', permissions: ['pull'] }), 201);
    await login(robot.body.name, robot.body.secret);
    await podmanOk('pull', '--tls-verify=false', `${berth.host}/team/tiny:v1`);
    const push = await podman('push', '--tls-verify=false', 'localhost/tiny:v1', `${berth.host}/team/robot-push:v1`);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/denied|unauthorized/i);
    expect(await servedDigest('team/robot-push', 'v1')).toBe('HTTP 404');
  });

  it('pulls from a public project anonymously, and is refused a private one once logged out', async () => {
    await login(ADMIN.username, ADMIN.password);
    await podmanOk('push', '--tls-verify=false', 'localhost/tiny:v1', `${berth.host}/open/tiny:v1`);
    await podmanOk('logout', berth.host);
    await podmanOk('rmi', '--all', '--force');
    await podmanOk('pull', '--tls-verify=false', `${berth.host}/open/tiny:v1`);
    const refused = await podman('pull', '--tls-verify=false', `${berth.host}/team/tiny:v1`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/authentication required|unauthorized/i);
  });
});
