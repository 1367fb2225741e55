// What `berth push` writes is a plain OCI artifact to other tools: skopeo copies it (to another
// repository and to an OCI layout) with its digest intact, and `berth pull` reads what skopeo pushed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCliOk } from '../support/cli.js';
import { writeModelFixture } from '../support/model-fixtures.js';
import { toolAvailable } from '../support/tools.js';
import { treeDigests } from '../support/trees.js';

const run = promisify(execFile);
let berth: BerthProcess;
let work: string;

describe.skipIf(!toolAvailable('skopeo'))('berth push / pull with skopeo', () => {
  beforeAll(async () => {
    berth = await startBerth();
    work = mkdtempSync(join(tmpdir(), 'berth-interop-'));
  });
  afterAll(async () => {
    await berth.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('skopeo copies a berth-pushed model with its digest, and berth pulls the skopeo copy', async () => {
    const model = join(work, 'model');
    await writeModelFixture(model);
    const env = { XDG_CACHE_HOME: join(work, 'cache'), BERTH_TOKEN: '' };
    const pushed = JSON.parse((await runCliOk(['push', model, `${berth.host}/llm/source:v1`, '--json'], env)).stdout) as { digest: string };

    await run('skopeo', ['copy', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${berth.host}/llm/source:v1`, `docker://${berth.host}/other/copied:v1`]);
    const copied = await fetch(`${berth.url}/v2/other/copied/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(copied.headers.get('docker-content-digest')).toBe(pushed.digest);

    const layout = join(work, 'layout');
    await run('skopeo', ['copy', '--preserve-digests', '--src-tls-verify=false', '--dest-oci-accept-uncompressed-layers', `docker://${berth.host}/llm/source:v1`, `oci:${layout}:v1`]);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    expect(index.manifests[0]?.digest).toBe(pushed.digest);

    const out = join(work, 'pulled');
    await runCliOk(['pull', `${berth.host}/other/copied:v1`, out], env);
    expect(await treeDigests(out)).toEqual(await treeDigests(model));
  });
});
