// A multi-GiB model file goes up with `berth push` and comes back with `berth pull` while the CLI's
// memory stays flat (sampled from /proc). Size: BERTH_TEST_BIG_BLOB_GIB (default 2).
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { spawnCli } from '../support/cli.js';
import { treeDigests } from '../support/trees.js';

const GiB = 1024 ** 3;
const SIZE = Math.round(Number(process.env.BERTH_TEST_BIG_BLOB_GIB ?? 2) * GiB);
const RSS_LIMIT = 200 * 1024 * 1024;
let berth: BerthProcess;
let work: string;

beforeAll(async () => {
  berth = await startBerth();
  work = mkdtempSync(join(tmpdir(), 'berth-cli-memory-'));
});
afterAll(async () => {
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function peakRss(args: string[]): Promise<number> {
  const { child, done } = spawnCli(args, { XDG_CACHE_HOME: join(work, 'cache'), BERTH_TOKEN: '' });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb) peak = Math.max(peak, Number(kb) * 1024);
    } catch {
      // exited
    }
  }, 50);
  const result = await done;
  clearInterval(timer);
  if (result.code !== 0) throw new Error(`berth ${args.join(' ')} failed:\n${result.stderr}`);
  return peak;
}

describe('berth push / pull of a multi-GiB file', () => {
  it('keeps the CLI memory flat both ways', async () => {
    const model = join(work, 'model');
    mkdirSync(model);
    const fd = openSync(join(model, 'model.safetensors.bin'), 'w');
    const block = randomBytes(1 << 20);
    for (let offset = 0; offset < SIZE; offset += 256 << 20) writeSync(fd, block, 0, block.length, offset);
    ftruncateSync(fd, SIZE);
    closeSync(fd);
    const pushPeak = await peakRss(['push', model, `${berth.host}/big/model:v1`, '--quiet']);
    const out = join(work, 'out');
    const pullPeak = await peakRss(['pull', `${berth.host}/big/model:v1`, out, '--quiet']);
    console.log(`berth CLI peak RSS for ${(SIZE / GiB).toFixed(2)} GiB: push ${(pushPeak / 2 ** 20).toFixed(0)} MiB, pull ${(pullPeak / 2 ** 20).toFixed(0)} MiB`);
    expect(pushPeak).toBeGreaterThan(0);
    expect(pushPeak).toBeLessThan(RSS_LIMIT);
    expect(pullPeak).toBeLessThan(RSS_LIMIT);
    expect(await treeDigests(out)).toEqual(await treeDigests(model));
  });
});
