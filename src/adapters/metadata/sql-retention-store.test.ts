// SqlRetentionStore on SQLite and on PostgreSQL, against the RetentionStore contract.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { retentionStoreContract, type RetentionStoreHarness } from '../../../test/retention/retention-store.contract.js';
import { createTestDatabase, postgresAvailable } from '../../../test/support/postgres.js';
import { openStores, type SqlStores } from './open.js';

const harness = (stores: SqlStores, dispose: () => Promise<void>): RetentionStoreHarness => ({ retention: stores.retention, registry: stores.registry, models: stores.models, dispose });

retentionStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-retention-'));
  const stores = await openStores({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
  return harness(stores, async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

const postgresUp = await postgresAvailable();
describe.skipIf(!postgresUp)('postgres', () => {
  retentionStoreContract('postgres', async () => {
    const db = await createTestDatabase();
    const stores = await openStores({ driver: 'postgres', url: db.url, poolSize: 4 });
    return harness(stores, async () => {
      await stores.close();
      await db.drop();
    });
  });
});
