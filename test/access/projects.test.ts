// Project names through the REST API: the grammar, and the names Berth's own endpoints use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { digestOf } from '../support/oci-client.js';

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

  it('refuses to delete a project that still has repositories, and deletes an empty one', async () => {
    expect((await fetch(`${berth.url}/api/v1/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'full' }) })).status).toBe(201);
    const post = await fetch(`${berth.url}/v2/full/model/blobs/uploads/`, { method: 'POST', headers: { authorization: admin.authorization } });
    const location = new URL(post.headers.get('location')!, berth.url);
    location.searchParams.set('digest', digestOf('bytes'));
    expect((await fetch(location, { method: 'PUT', headers: { authorization: admin.authorization }, body: 'bytes' })).status).toBe(201);
    const refused = await fetch(`${berth.url}/api/v1/projects/full`, { method: 'DELETE', headers: admin });
    expect(refused.status).toBe(409);
    expect((await fetch(`${berth.url}/api/v1/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'empty' }) })).status).toBe(201);
    expect((await fetch(`${berth.url}/api/v1/projects/empty`, { method: 'DELETE', headers: admin })).status).toBe(204);
  });

  it('answers a body that is not JSON with INVALID', async () => {
    const res = await fetch(`${berth.url}/api/v1/projects`, { method: 'POST', headers: admin, body: '{"name": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('INVALID');
  });

  it('does not create a reserved project on a system administrator push', async () => {
    const res = await fetch(`${berth.url}/v2/api/x/blobs/uploads/`, { method: 'POST', headers: { authorization: admin.authorization } });
    expect(res.status).toBe(403);
    expect((await fetch(`${berth.url}/api/v1/projects/api`, { headers: admin })).status).toBe(404);
  });
});
