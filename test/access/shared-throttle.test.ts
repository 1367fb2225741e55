// Login throttling shared across replicas: two Berth processes on one PostgreSQL database count
// failed logins for one account and address in one record, so guesses spread over replicas are
// slowed down all the same, and a success on either clears it. The record is read through the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, type SqlStores } from '../../src/adapters/metadata/open.js';
import { DEFAULT_THROTTLE_POLICY, throttleDelay, throttleKey } from '../../src/core/access/login-throttle.js';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { createTestDatabase, postgresAvailable } from '../support/postgres.js';
import { apiClient, type Credentials } from '../support/registry-auth.js';

const postgresUp = await postgresAvailable();
const ADMIN: Credentials = { username: 'admin', password: 'admin-password' };
const GUESS: Credentials = { username: 'admin', password: 'not-the-password' };

describe.skipIf(!postgresUp)('login throttling across replicas', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: BerthProcess;
  let b: BerthProcess;
  let stores: SqlStores;
  const key = throttleKey('basic\u0000admin', '127.0.0.1');

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { BERTH_DATABASE_URL: db.url };
    a = await startBerth({ adminPassword: ADMIN.password, env });
    b = await startBerth({ adminPassword: ADMIN.password, env });
    stores = await openStores({ driver: 'postgres', url: db.url, poolSize: 2 });
  });

  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
    await stores?.close();
    await db?.drop();
  });

  it('counts failures on A and B in one record that slows both, and a success on B clears it', async () => {
    for (let i = 0; i < 3; i++) expect((await apiClient(a.url, GUESS).get('/api/v1/users/current')).status).toBe(401);
    expect((await stores.access.getLoginFailures(key))?.count).toBe(3);
    // B continues A's count rather than starting its own.
    for (let i = 0; i < 3; i++) expect((await apiClient(b.url, GUESS).get('/api/v1/users/current')).status).toBe(401);
    const record = await stores.access.getLoginFailures(key);
    expect(record?.count).toBe(6);
    // Past the free attempts: the next check on either replica waits first.
    expect(throttleDelay(record, record!.lastAt.getTime())).toBe(DEFAULT_THROTTLE_POLICY.baseDelayMs * 2);
    expect((await apiClient(b.url, ADMIN).get('/api/v1/users/current')).status).toBe(200);
    expect(await stores.access.getLoginFailures(key)).toBeNull();
  });
});
