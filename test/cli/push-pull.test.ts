// `berth push` / `pull` / `inspect` / `ls` / `tag` / `rm` against a listening Berth and against
// Debian's docker-registry: a Hugging Face shaped model round-trips byte for byte, its facts land in
// the ModelPack config, and bad input gets a clear message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCli, runCliOk } from '../support/cli.js';
import { writeModelFixture, type ModelFixture } from '../support/model-fixtures.js';
import { pushImage } from '../support/oci-client.js';
import { startReferenceRegistry, type ReferenceRegistry } from '../support/reference-registry.js';
import { toolAvailable } from '../support/tools.js';
import { treeDigests } from '../support/trees.js';

let berth: BerthProcess;
let work: string;
let model: string;
let fixture: ModelFixture;
const env = () => ({ XDG_CACHE_HOME: join(work, 'cache'), DOCKER_CONFIG: join(work, 'docker'), XDG_CONFIG_HOME: join(work, 'config'), BERTH_TOKEN: '' });

beforeAll(async () => {
  berth = await startBerth();
  work = mkdtempSync(join(tmpdir(), 'berth-push-'));
  model = join(work, 'model');
  fixture = await writeModelFixture(model);
});
afterAll(async () => {
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('berth push and pull against Berth', () => {
  it('round-trips a Hugging Face shaped model byte for byte and reports what it sent', async () => {
    const push = await runCliOk(['push', model, `${berth.host}/llm/tiny-llama:v1`, '--json'], env());
    const pushed = JSON.parse(push.stdout) as { digest: string; files: Array<{ path: string; outcome: string; bytesSent: number; mediaType: string }> };
    expect(pushed.files.map((f) => f.path).sort()).toEqual(fixture.files.map((f) => f.path).sort());
    expect(pushed.files.every((f) => f.outcome === 'uploaded' || f.outcome === 'mounted')).toBe(true);
    expect(pushed.files.find((f) => f.path.endsWith('.gguf'))?.mediaType).toBe('application/vnd.cncf.model.weight.v1.raw');
    expect(pushed.files.find((f) => f.path === 'README.md')?.mediaType).toBe('application/vnd.cncf.model.doc.v1.raw');

    const out = join(work, 'pulled');
    await runCliOk(['pull', `${berth.host}/llm/tiny-llama:v1`, out], env());
    expect(await treeDigests(out)).toEqual(await treeDigests(model));

    const again = JSON.parse((await runCliOk(['push', model, `${berth.host}/llm/tiny-llama:v1`, '--json'], env())).stdout) as { files: Array<{ outcome: string; bytesSent: number }> };
    expect(again.files.every((f) => f.outcome === 'present' && f.bytesSent === 0)).toBe(true);
  });

  it('fills the ModelPack config from config.json, safetensors and GGUF headers', async () => {
    const inspect = JSON.parse((await runCliOk(['inspect', `${berth.host}/llm/tiny-llama:v1`, '--json'], env())).stdout) as {
      format: string;
      manifest: { artifactType: string; config: { mediaType: string }; layers: Array<{ annotations: Record<string, string> }> };
      config: { descriptor: { name: string }; config: Record<string, unknown>; modelfs: { type: string; diffIds: string[] } };
    };
    expect(inspect.format).toBe('modelpack');
    expect(inspect.manifest.artifactType).toBe('application/vnd.cncf.model.manifest.v1+json');
    expect(inspect.manifest.config.mediaType).toBe('application/vnd.cncf.model.config.v1+json');
    expect(inspect.manifest.layers.every((l) => typeof l.annotations['org.cncf.model.filepath'] === 'string')).toBe(true);
    expect(inspect.config.descriptor.name).toBe('tiny-llama');
    expect(inspect.config.config).toMatchObject({ architecture: fixture.expected.architecture, quantization: fixture.expected.quantization });
    expect(inspect.config.config.precision).toContain('bfloat16');
    expect(inspect.config.modelfs.type).toBe('layers');
    expect(inspect.config.modelfs.diffIds).toHaveLength(fixture.files.length);
  });

  it('lists, tags and removes models', async () => {
    await runCliOk(['tag', `${berth.host}/llm/tiny-llama:v1`, 'production'], env());
    const listed = JSON.parse((await runCliOk(['ls', `${berth.host}/llm`, '--json'], env())).stdout) as Array<{ model: string; tags: string }>;
    expect(listed).toContainEqual({ model: 'llm/tiny-llama', tags: 'production, v1' });
    await runCliOk(['rm', `${berth.host}/llm/tiny-llama:production`, '--tag-only'], env());
    const after = JSON.parse((await runCliOk(['ls', `${berth.host}/llm`, '--json'], env())).stdout) as Array<{ model: string; tags: string }>;
    expect(after).toContainEqual({ model: 'llm/tiny-llama', tags: 'v1' });
  });

  it('explains that a container image is not a model', async () => {
    await pushImage(berth.url, 'apps/web', 'v1', ['a layer']);
    const run = await runCli(['pull', `${berth.host}/apps/web:v1`, join(work, 'image')], env());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/container image, not a model/);
  });

  it('gives clear messages for malformed references, missing sources and missing tags', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['push', model, 'no-registry'], /has no registry/],
      [['push', model, `${berth.host}/UPPER/case:v1`], /not a valid repository name/],
      [['push', model, `${berth.host}/llm/x:bad tag`], /not a valid tag|not a valid repository/],
      [['push', model, `${berth.host}/llm/x`], /needs a tag or digest/],
      [['push', join(work, 'missing'), `${berth.host}/llm/x:v1`], /no such file or directory/],
      [['pull', `${berth.host}/llm/x@sha256:1234`, join(work, 'x')], /not a valid digest/],
      [['pull', `${berth.host}/llm/absent:v1`, join(work, 'x')], /MANIFEST_UNKNOWN|NAME_UNKNOWN|404/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, env());
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('refuses a config.json that is not JSON without pushing anything', async () => {
    const bad = join(work, 'bad-model');
    await writeModelFixture(bad);
    writeFileSync(join(bad, 'config.json'), '{ not json');
    const run = await runCli(['push', bad, `${berth.host}/llm/bad:v1`], env());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/config\.json is not valid JSON/);
    expect((await fetch(`${berth.url}/v2/llm/bad/tags/list`)).status).toBe(404);
  });
});

describe.skipIf(!toolAvailable('docker-registry', ['--version']))('berth push and pull against docker-registry', () => {
  let reference: ReferenceRegistry;
  beforeAll(async () => {
    reference = await startReferenceRegistry();
  });
  afterAll(async () => {
    await reference.dispose();
  });

  it('round-trips the same model through the reference registry', async () => {
    await runCliOk(['push', model, `${reference.host}/llm/tiny-llama:v1`], env());
    const out = join(work, 'pulled-reference');
    await runCliOk(['pull', `${reference.host}/llm/tiny-llama:v1`, out], env());
    expect(await treeDigests(out)).toEqual(await treeDigests(model));
  });
});
