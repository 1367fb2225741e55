// Hub revisions may name model aliases: `resolve/production/...` follows the alias set through
// Berth's model API, and moving the alias moves what the Hub serves (KubeAI's `main`-style pinning).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCliOk } from '../support/cli.js';

let berth: BerthProcess;
let work: string;

beforeAll(async () => {
  berth = await startBerth();
  work = mkdtempSync(join(tmpdir(), 'berth-hub-alias-'));
});
afterAll(async () => {
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function pushVersion(tag: string, weights: string): Promise<string> {
  const dir = join(work, tag);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }));
  writeFileSync(join(dir, 'model.safetensors.bin'), weights);
  const out = JSON.parse((await runCliOk(['push', dir, `${berth.host}/llm/aliased:${tag}`, '--json'], { XDG_CACHE_HOME: join(work, 'cache'), BERTH_TOKEN: '' })).stdout) as { digest: string };
  return out.digest.slice(7, 47);
}

async function setAlias(version: string): Promise<void> {
  const res = await fetch(`${berth.url}/api/v1/models/llm/aliased/aliases/production`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version }) });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe('Hub revisions that name aliases', () => {
  it('serves the version an alias points at, and follows the alias when it moves', async () => {
    const v1 = await pushVersion('v1', 'weights one');
    const v2 = await pushVersion('v2', 'weights two');
    await setAlias('v1');
    const info1 = (await (await fetch(`${berth.url}/api/models/llm/aliased/revision/production`)).json()) as { sha: string };
    expect(info1.sha).toBe(v1);
    expect(await (await fetch(`${berth.url}/llm/aliased/resolve/production/model.safetensors.bin`)).text()).toBe('weights one');
    await setAlias('v2');
    const head = await fetch(`${berth.url}/llm/aliased/resolve/production/model.safetensors.bin`, { method: 'HEAD', redirect: 'manual' });
    expect([head.status, head.headers.get('x-repo-commit')]).toEqual([307, v2]);
    expect(await (await fetch(`${berth.url}/llm/aliased/resolve/production/model.safetensors.bin`)).text()).toBe('weights two');
    const missing = await fetch(`${berth.url}/api/models/llm/aliased/revision/staging`);
    expect([missing.status, missing.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
  });
});
