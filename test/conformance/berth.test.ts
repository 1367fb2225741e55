// Runs Berth's OCI conformance suite against a real, listening Berth (the built `bin/berth.js serve`
// on its embedded SQLite + filesystem defaults), and again with blobs on S3 (s3rver, or the endpoint
// of test/support/s3-server.ts). Every check must pass, and every 4xx body must be the OCI error
// envelope with a spec code. The page size is lowered so paging is exercised without pushing
// thousands of manifests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth } from '../support/berth.js';
import { startS3Server } from '../support/s3-server.js';
import { conformanceSuite } from './suite.js';

const PAGE_SIZE = 10;

for (const storage of ['filesystem', 's3'] as const) {
  conformanceSuite({
    name: storage === 'filesystem' ? 'berth' : 'berth on s3',
    strictErrorBodies: true,
    maxPageSize: PAGE_SIZE,
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'berth-conformance-'));
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ registry: { maxPageSize: PAGE_SIZE } }));
      const s3 = storage === 's3' ? await startS3Server() : null;
      const berth = await startBerth({ args: ['--config', config], env: s3?.env ?? {} });
      return {
        url: berth.url,
        async dispose() {
          await berth.dispose();
          await s3?.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  });
}
