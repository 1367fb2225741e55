// Interrupted and failing transfers: a push killed mid-upload resumes without re-sending finished
// blobs or acknowledged chunks; a registry failing mid-upload and a corrupted download give clear
// errors and leave nothing half-written under a final name.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCli, runCliOk, spawnCli } from '../support/cli.js';
import { startProxy, type Proxy } from '../support/proxy.js';
import { treeDigests } from '../support/trees.js';

const MiB = 1 << 20;
let berth: BerthProcess;
let proxy: Proxy;
let work: string;
const env = () => ({ XDG_CACHE_HOME: join(work, 'cache'), DOCKER_CONFIG: join(work, 'docker'), XDG_CONFIG_HOME: join(work, 'config'), BERTH_TOKEN: '' });

beforeAll(async () => {
  berth = await startBerth();
  proxy = await startProxy(berth.host);
  work = mkdtempSync(join(tmpdir(), 'berth-resume-'));
});
afterAll(async () => {
  await proxy.close();
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

function makeModel(name: string, bigMiB: number): { dir: string; small: number; big: number } {
  const dir = join(work, name);
  mkdirSync(join(dir, 'tokenizer'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }));
  writeFileSync(join(dir, 'tokenizer', 'vocab.json'), randomBytes(200_000));
  writeFileSync(join(dir, 'README.md'), '# resumable\n');
  writeFileSync(join(dir, 'model.bin'), randomBytes(bigMiB * MiB));
  return { dir, small: 200_000 + 12 + JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }).length, big: bigMiB * MiB };
}

describe('interrupted and failing pushes', () => {
  it('resumes a push killed mid-upload without sending finished blobs or acknowledged chunks again', async () => {
    const model = makeModel('killed', 48);
    proxy.rules.uploadDelayMs = 4;
    // Two workers: one takes model.bin (largest first), the other finishes the small files meanwhile.
    const first = spawnCli(['push', model.dir, `${proxy.host}/llm/killed:v1`, '--chunk-size', '4', '--concurrency', '2', '--quiet'], env());
    const started = Date.now();
    // Kill once chunks are flowing and at least one acknowledged chunk has been recorded by the CLI.
    const saved = () => readdirSync(join(work, 'cache', 'berth', 'uploads'), { withFileTypes: true }).some((e) => e.name.endsWith('.json'));
    const ready = () => proxy.uploadBytes() >= model.small + 12 * MiB && existsSync(join(work, 'cache', 'berth', 'uploads')) && saved();
    while (!ready() && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    await first.done;
    // Bytes the dead client left in socket buffers still reach the proxy: let them drain first.
    proxy.rules.uploadDelayMs = 0;
    for (let last = -1; last !== proxy.uploadBytes(); ) {
      last = proxy.uploadBytes();
      await new Promise((r) => setTimeout(r, 300));
    }
    const sentBeforeKill = proxy.uploadBytes();
    expect(sentBeforeKill).toBeGreaterThan(model.small + 8 * MiB);
    expect(sentBeforeKill).toBeLessThan(model.small + model.big);

    const before = proxy.uploadBytes();
    const rerun = JSON.parse((await runCliOk(['push', model.dir, `${proxy.host}/llm/killed:v1`, '--chunk-size', '4', '--json'], env())).stdout) as {
      files: Array<{ path: string; outcome: string; bytesSent: number }>;
    };
    const resentBytes = proxy.uploadBytes() - before;
    const byPath = Object.fromEntries(rerun.files.map((f) => [f.path, f]));
    expect(byPath['model.bin']?.outcome).toBe('resumed');
    for (const path of ['config.json', 'README.md', 'tokenizer/vocab.json']) expect(byPath[path]).toMatchObject({ outcome: 'present', bytesSent: 0 });
    // Only the part of model.bin after the last acknowledged chunk goes again (plus the small config blob).
    const acknowledged = model.big - byPath['model.bin']!.bytesSent;
    expect(acknowledged).toBeGreaterThanOrEqual(4 * MiB);
    expect(resentBytes).toBeLessThan(model.big - acknowledged + 64 * 1024);
    // In all, at most the chunk cut by the kill and one acknowledged just before it is sent twice.
    expect(resentBytes + sentBeforeKill).toBeLessThan(model.small + model.big + 2 * 4 * MiB + 256 * 1024);

    const out = join(work, 'killed-out');
    await runCliOk(['pull', `${berth.host}/llm/killed:v1`, out], env());
    expect(await treeDigests(out)).toEqual(await treeDigests(model.dir));
  });

  it('reports a registry that fails mid-upload clearly, tags nothing, and a rerun completes', async () => {
    const model = makeModel('failing', 12);
    let patches = 0;
    proxy.rules.fail = (req) => req.method === 'PATCH' && ++patches === 2;
    const run = await runCli(['push', model.dir, `${proxy.host}/llm/failing:v1`, '--chunk-size', '4', '--concurrency', '1', '--quiet'], env());
    proxy.rules.fail = undefined;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/PATCH .* failed with HTTP 500/);
    expect((await fetch(`${berth.url}/v2/llm/failing/manifests/v1`)).status).toBe(404);
    await runCliOk(['push', model.dir, `${proxy.host}/llm/failing:v1`, '--chunk-size', '4', '--quiet'], env());
    expect((await fetch(`${berth.url}/v2/llm/failing/manifests/v1`, { method: 'HEAD' })).status).toBe(200);
  });

  it('refuses a corrupted download and leaves no file under its final name', async () => {
    const model = makeModel('corrupt', 2);
    await runCliOk(['push', model.dir, `${berth.host}/llm/corrupt:v1`, '--quiet'], env());
    proxy.rules.corruptBlobs = true;
    const out = join(work, 'corrupt-out');
    const run = await runCli(['pull', `${proxy.host}/llm/corrupt:v1`, out, '--concurrency', '1'], env());
    proxy.rules.corruptBlobs = false;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/is corrupt: expected sha256:/);
    const names = readdirSync(out, { recursive: true }) as string[];
    expect(names.filter((n) => ['config.json', 'README.md', 'model.bin'].includes(n))).toEqual([]);
    await runCliOk(['pull', `${berth.host}/llm/corrupt:v1`, out], env());
    expect(await treeDigests(out)).toEqual(await treeDigests(model.dir));
  });
});
