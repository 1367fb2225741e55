// The SQL stores (OCI index, access, model metadata) on SQLite and on PostgreSQL, each against its contract suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { accessStoreContract } from '../../../test/contracts/access-store.contract.js';
import { gcStoreContract } from '../../../test/contracts/gc-store.contract.js';
import { modelStoreContract } from '../../../test/contracts/model-store.contract.js';
import { registryStoreContract } from '../../../test/contracts/registry-store.contract.js';
import { webhookStoreContract } from '../../../test/contracts/webhook-store.contract.js';
import { createTestDatabase, postgresAvailable } from '../../../test/support/postgres.js';
import { openStores, type SqlStores } from './open.js';

async function sqlite(): Promise<{ stores: SqlStores; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
  const stores = await openStores({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
  return {
    stores,
    async dispose() {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgres(): Promise<{ stores: SqlStores; dispose(): Promise<void> }> {
  const db = await createTestDatabase();
  const stores = await openStores({ driver: 'postgres', url: db.url, poolSize: 4 });
  return {
    stores,
    async dispose() {
      await stores.close();
      await db.drop();
    },
  };
}

registryStoreContract('sqlite', async () => {
  const { stores, dispose } = await sqlite();
  return { store: stores.registry, dispose };
});
accessStoreContract('sqlite', async () => {
  const { stores, dispose } = await sqlite();
  return { store: stores.access, dispose };
});
modelStoreContract('sqlite', async () => {
  const { stores, dispose } = await sqlite();
  return { store: stores.models, dispose };
});
gcStoreContract('sqlite', async () => {
  const { stores, dispose } = await sqlite();
  return { registry: stores.registry, gc: stores.gc, dispose };
});
webhookStoreContract('sqlite', async () => {
  const { stores, dispose } = await sqlite();
  return { webhooks: stores.webhooks, registry: stores.registry, dispose };
});

const postgresUp = await postgresAvailable();
describe.skipIf(!postgresUp)('postgres', () => {
  registryStoreContract('postgres', async () => {
    const { stores, dispose } = await postgres();
    return { store: stores.registry, dispose };
  });
  accessStoreContract('postgres', async () => {
    const { stores, dispose } = await postgres();
    return { store: stores.access, dispose };
  });
  modelStoreContract('postgres', async () => {
    const { stores, dispose } = await postgres();
    return { store: stores.models, dispose };
  });
  gcStoreContract('postgres', async () => {
    const { stores, dispose } = await postgres();
    return { registry: stores.registry, gc: stores.gc, dispose };
  });
  webhookStoreContract('postgres', async () => {
    const { stores, dispose } = await postgres();
    return { webhooks: stores.webhooks, registry: stores.registry, dispose };
  });
});
