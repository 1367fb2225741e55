// The SQL PolicyStore (with the registry store's usage bookkeeping) on SQLite and on PostgreSQL, against
// its contract suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { policyStoreContract } from '../../../test/contracts/policy-store.contract.js';
import { createTestDatabase, postgresAvailable } from '../../../test/support/postgres.js';
import { openStores } from './open.js';

policyStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
  const stores = await openStores({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
  return {
    policies: stores.policies,
    registry: stores.registry,
    async dispose() {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const postgresUp = await postgresAvailable();
describe.skipIf(!postgresUp)('postgres', () => {
  policyStoreContract('postgres', async () => {
    const db = await createTestDatabase();
    const stores = await openStores({ driver: 'postgres', url: db.url, poolSize: 4 });
    return {
      policies: stores.policies,
      registry: stores.registry,
      async dispose() {
        await stores.close();
        await db.drop();
      },
    };
  });
});
