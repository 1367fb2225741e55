// Project names through the REST API: the grammar, and the names Berth's own endpoints use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';

let berth: BerthProcess;
const admin = { authorization: `Basic ${Buffer.from('admin:projects-admin-pw').toString('base64')}`, 'content-type': 'application/json' };

beforeAll(async () => {
  berth = await startBerth({ adminPassword: 'projects-admin-pw' });
});
afterAll(async () => {
  await berth.dispose();
});

describe('project names', () => {
  it.each(['v2', 'api', 'auth', 'healthz'])('refuses the reserved name %s', async (name) => {
    const res = await fetch(`${berth.url}/api/v1/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ code: string; message: string }> }).errors[0]).toMatchObject({ code: 'INVALID', message: expect.stringMatching(/reserved/) });
  });

  it.each(['Upper', 'a/b', '-x', 'x'.repeat(65)])('refuses the malformed name %s', async (name) => {
    const res = await fetch(`${berth.url}/api/v1/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name }) });
    expect(res.status).toBe(400);
  });

  it('does not create a reserved project on a system administrator push', async () => {
    const res = await fetch(`${berth.url}/v2/api/x/blobs/uploads/`, { method: 'POST', headers: { authorization: admin.authorization } });
    expect(res.status).toBe(403);
    expect((await fetch(`${berth.url}/api/v1/projects/api`, { headers: admin })).status).toBe(404);
  });
});
