// The SQL RegistryStore on SQLite and on PostgreSQL, both against the one contract suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { registryStoreContract } from '../../../test/contracts/registry-store.contract.js';
import { createTestDatabase, postgresAvailable } from '../../../test/support/postgres.js';
import { openRegistryStore } from './open.js';

registryStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
  const store = await openRegistryStore({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
  return {
    store,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const postgres = await postgresAvailable();
describe.skipIf(!postgres)('postgres', () => {
  registryStoreContract('postgres', async () => {
    const db = await createTestDatabase();
    const store = await openRegistryStore({ driver: 'postgres', url: db.url, poolSize: 4 });
    return {
      store,
      async dispose() {
        await store.close();
        await db.drop();
      },
    };
  });
});
