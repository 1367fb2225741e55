// The SQL UploadLedger on SQLite and on PostgreSQL against its contract suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { uploadLedgerContract } from '../../../test/contracts/upload-ledger.contract.js';
import { createTestDatabase, postgresAvailable } from '../../../test/support/postgres.js';
import { openStores } from './open.js';

uploadLedgerContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ledger-'));
  const stores = await openStores({ driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' });
  return {
    ledger: stores.uploadLedger,
    async dispose() {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const postgresUp = await postgresAvailable();
describe.skipIf(!postgresUp)('postgres', () => {
  uploadLedgerContract('postgres', async () => {
    const db = await createTestDatabase();
    const stores = await openStores({ driver: 'postgres', url: db.url, poolSize: 4 });
    return {
      ledger: stores.uploadLedger,
      async dispose() {
        await stores.close();
        await db.drop();
      },
    };
  });
});
