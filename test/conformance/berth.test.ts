// Runs Berth's OCI conformance suite against a real, listening Berth (the built `bin/berth.js serve`
// on its embedded SQLite + filesystem defaults). Every check must pass, and every 4xx body must be
// the OCI error envelope with a spec code. The page size is lowered so paging is exercised without
// pushing thousands of manifests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth } from '../support/berth.js';
import { conformanceSuite } from './suite.js';

const PAGE_SIZE = 10;

conformanceSuite({
  name: 'berth',
  strictErrorBodies: true,
  maxPageSize: PAGE_SIZE,
  async start() {
    const dir = mkdtempSync(join(tmpdir(), 'berth-conformance-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ registry: { maxPageSize: PAGE_SIZE } }));
    const berth = await startBerth({ args: ['--config', config] });
    return {
      url: berth.url,
      async dispose() {
        await berth.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
