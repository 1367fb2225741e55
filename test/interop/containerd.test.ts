// Interop with containerd, the runtime under Kubernetes nodes (and so under KServe modelcars and any
// pod whose image or model comes from Berth): a containerd daemon of the test's own (root, state and
// socket under a temporary directory, CRI off) pulls through `ctr`, with Docker token auth, an image
// from a private project and unpacks it, fetches a ModelPack artifact's content byte for byte, and
// pulls a public project's image anonymously while an anonymous pull of a private one is refused.
// Needs root (containerd does); the content pushed into Berth is written by skopeo from OCI layouts
// built by hand, so neither side owes anything to the client under test.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { blobPath, writeImageLayout, writeModelPackLayout, type Layout } from '../support/oci-layouts.js';
import { apiClient, eventually, must, type Credentials } from '../support/registry-auth.js';
import { expectToolOk, runTool, type ToolRun } from '../support/skopeo.js';
import { toolAvailable } from '../support/tools.js';

const HAVE_TOOLS = toolAvailable('containerd', ['--version']) && toolAvailable('ctr', ['--version']) && toolAvailable('skopeo');
const ADMIN: Credentials = { username: 'admin', password: 'admin-password-1' };

describe.skipIf(!HAVE_TOOLS)('containerd against Berth', () => {
  let berth: BerthProcess;
  let containerd: ChildProcess | undefined;
  let work: string;
  let socket: string;
  let image: Layout;
  let model: Layout;
  let daemonLog = '';

  const ctr = (...args: string[]): Promise<ToolRun> => runTool('ctr', ['--address', socket, '--namespace', 'berth-test', ...args]);
  const ctrOk = async (...args: string[]): Promise<string> => expectToolOk(await ctr(...args), `ctr ${args.slice(0, 2).join(' ')}`).stdout;
  const pushWithSkopeo = async (layout: Layout, target: string) =>
    expectToolOk(await runTool('skopeo', ['--insecure-policy', 'copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `${ADMIN.username}:${ADMIN.password}`, `oci:${layout.dir}:${layout.tag}`, `docker://${berth.host}/${target}`], { REGISTRY_AUTH_FILE: join(work, 'no-auth.json') }));
  const adminUser = ['--plain-http', '--user', `${ADMIN.username}:${ADMIN.password}`];
  /** The bytes containerd's content store holds under `digest`. */
  const contentOf = (digest: string): Buffer => execFileSync('ctr', ['--address', socket, '--namespace', 'berth-test', 'content', 'get', digest], { maxBuffer: 64 << 20 });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-containerd-'));
    writeFileSync(join(work, 'no-auth.json'), '{"auths":{}}');
    socket = join(work, 'containerd.sock');
    writeFileSync(join(work, 'config.toml'), [
      'version = 2',
      `root = "${join(work, 'root')}"`,
      `state = "${join(work, 'state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '',
    ].join('\n'));
    containerd = spawn('containerd', ['--config', join(work, 'config.toml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    containerd.stderr!.on('data', (d: Buffer) => (daemonLog += d.toString()));
    containerd.stdout!.on('data', (d: Buffer) => (daemonLog += d.toString()));
    berth = await startBerth({ adminPassword: ADMIN.password });
    const admin = apiClient(berth.url, ADMIN);
    await must(admin.post('/api/v1/projects', { name: 'team', public: false }), 201);
    await must(admin.post('/api/v1/projects', { name: 'open', public: true }), 201);
    image = writeImageLayout(join(work, 'image'));
    model = writeModelPackLayout(join(work, 'model'));
    await pushWithSkopeo(image, 'team/app:v1');
    await pushWithSkopeo(image, 'open/app:v1');
    await pushWithSkopeo(model, 'team/tiny-llm:v1');
    await eventually(async () => (existsSync(socket) && (await ctr('version')).code === 0 ? true : undefined), `containerd to answer on its socket:\n${daemonLog}`, 15_000);
  }, 120_000);

  afterAll(async () => {
    await berth?.dispose();
    if (containerd && containerd.exitCode === null) {
      const exited = new Promise((resolve) => containerd!.once('exit', resolve));
      containerd.kill('SIGTERM');
      await exited;
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('pulls and unpacks an image from a private project through token auth, with its digest', async () => {
    await ctrOk('images', 'pull', ...adminUser, '--snapshotter', 'native', `${berth.host}/team/app:v1`);
    const listed = await ctrOk('images', 'ls', '--quiet');
    expect(listed.split('\n')).toContain(`${berth.host}/team/app:v1`);
    const check = await ctrOk('images', 'check', `name==${berth.host}/team/app:v1`);
    expect(check).toContain(image.manifestDigest);
    expect(check).toMatch(/complete/);
    // What containerd stored is what was pushed, blob by blob.
    for (const blob of image.blobs) expect(contentOf(blob.digest).equals(readFileSync(blobPath(image.dir, blob.digest))), blob.digest).toBe(true);
  });

  it('fetches a ModelPack artifact byte for byte, as a node pulling a model would', async () => {
    await ctrOk('content', 'fetch', ...adminUser, `${berth.host}/team/tiny-llm:v1`);
    for (const blob of model.blobs) {
      const stored = contentOf(blob.digest);
      expect(stored.equals(readFileSync(blobPath(model.dir, blob.digest))), blob.annotations?.['org.cncf.model.filepath'] ?? blob.digest).toBe(true);
      expect(`sha256:${createHash('sha256').update(stored).digest('hex')}`).toBe(blob.digest);
    }
  });

  it('pulls a public project anonymously and is refused a private one without credentials', async () => {
    await ctrOk('images', 'pull', '--plain-http', '--snapshotter', 'native', `${berth.host}/open/app:v1`);
    const refused = await ctr('images', 'pull', '--plain-http', '--snapshotter', 'native', `${berth.host}/team/tiny-llm:v1`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/authorization failed|insufficient_scope|pull access denied/);
  });
});
