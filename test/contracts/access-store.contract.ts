// The AccessStore contract: every relational driver (SQLite, PostgreSQL) must pass these checks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessStore } from '../../src/core/ports/access-store.js';

/** A fresh, empty store and how to dispose of it. */
export interface AccessStoreHarness {
  store: AccessStore;
  dispose(): Promise<void>;
}

const at = new Date(1_700_000_000_000);

/** Registers the contract suite for a driver. */
export function accessStoreContract(driver: string, create: () => Promise<AccessStoreHarness>): void {
  describe(`AccessStore contract: ${driver}`, () => {
    let h: AccessStoreHarness;
    let s: AccessStore;
    beforeEach(async () => {
      h = await create();
      s = h.store;
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('creates, finds, updates and deletes users; usernames are unique', async () => {
      const u = await s.createUser({ username: 'ann', passwordHash: 'h1', sysadmin: false, disabled: false, createdAt: at });
      expect(u.id).toBeGreaterThan(0);
      await expect(s.createUser({ username: 'ann', passwordHash: 'h2', sysadmin: false, disabled: false, createdAt: at })).rejects.toThrow();
      await s.updateUser(u.id, { sysadmin: true, passwordHash: 'h3' });
      expect(await s.getUserByName('ann')).toMatchObject({ id: u.id, sysadmin: true, passwordHash: 'h3', disabled: false });
      expect((await s.getUserById(u.id))?.createdAt.getTime()).toBe(at.getTime());
      expect(await s.deleteUser(u.id)).toBe(true);
      expect(await s.getUserByName('ann')).toBeNull();
    });

    it('keeps memberships per project and drops them with the project or the user', async () => {
      const p = await s.createProject({ name: 'llm', public: true, createdAt: at });
      const a = await s.createUser({ username: 'a', passwordHash: 'x', sysadmin: false, disabled: false, createdAt: at });
      const b = await s.createUser({ username: 'b', passwordHash: 'x', sysadmin: false, disabled: false, createdAt: at });
      await s.setMember(p.id, a.id, 'guest');
      await s.setMember(p.id, a.id, 'maintainer');
      await s.setMember(p.id, b.id, 'developer');
      expect(await s.getRole(p.id, a.id)).toBe('maintainer');
      expect((await s.listMembers(p.id)).map((m) => [m.username, m.role])).toEqual([['a', 'maintainer'], ['b', 'developer']]);
      await s.deleteUser(b.id);
      expect((await s.listMembers(p.id)).length).toBe(1);
      expect(await s.removeMember(p.id, a.id)).toBe(true);
      expect(await s.getRole(p.id, a.id)).toBeNull();
      expect(p.preventDangerousPulls).toBe(false);
      await s.updateProject(p.id, { public: false });
      expect(await s.getProject('llm')).toMatchObject({ public: false, preventDangerousPulls: false });
      await s.updateProject(p.id, { preventDangerousPulls: true });
      expect(await s.getProject('llm')).toMatchObject({ public: false, preventDangerousPulls: true });
      expect(await s.deleteProject(p.id)).toBe(true);
      expect(await s.listProjects()).toEqual([]);
    });

    it('stores robots with their project, permissions and expiry', async () => {
      const p = await s.createProject({ name: 'llm', public: false, createdAt: at });
      const r = await s.createRobot({ projectId: p.id, name: 'robot$llm+ci', description: 'ci', secretHash: 'h', actions: ['pull', 'push'], expiresAt: new Date(at.getTime() + 1000), disabled: false, createdAt: at });
      expect(await s.getRobotByName('robot$llm+ci')).toMatchObject({ id: r.id, project: 'llm', actions: ['pull', 'push'] });
      await s.updateRobot(r.id, { disabled: true, secretHash: 'h2', expiresAt: null });
      expect(await s.getRobot(r.id)).toMatchObject({ disabled: true, secretHash: 'h2', expiresAt: null });
      expect((await s.listRobots(p.id)).length).toBe(1);
      await s.deleteProject(p.id);
      expect(await s.getRobot(r.id)).toBeNull();
    });

    it('stores personal access tokens and revokes them once', async () => {
      const u = await s.createUser({ username: 'u', passwordHash: 'x', sysadmin: false, disabled: false, createdAt: at });
      await s.createToken({ id: 'abcdef0123456789', userId: u.id, name: 't', secretHash: 'h', scopes: ['llm:pull'], expiresAt: null, revokedAt: null, createdAt: at, lastUsedAt: null });
      await s.touchToken('abcdef0123456789', new Date(at.getTime() + 5));
      expect(await s.getToken('abcdef0123456789')).toMatchObject({ userId: u.id, scopes: ['llm:pull'], lastUsedAt: new Date(at.getTime() + 5) });
      expect(await s.revokeToken('abcdef0123456789', at)).toBe(true);
      expect(await s.revokeToken('abcdef0123456789', at)).toBe(false);
      expect((await s.listTokens(u.id))[0]?.revokedAt).toEqual(at);
    });

    it('lists the audit log newest first, per project, paged by id', async () => {
      for (let i = 0; i < 5; i++) {
        await s.appendAudit({ at, actor: 'a', actorKind: 'user', action: `act${i}`, resource: '/r', project: i % 2 ? 'p' : null, allowed: i !== 3, status: i === 3 ? 403 : 201, sourceAddress: '127.0.0.1' });
      }
      const all = await s.listAudit({ limit: 10 });
      expect(all.map((e) => e.action)).toEqual(['act4', 'act3', 'act2', 'act1', 'act0']);
      expect((await s.listAudit({ project: 'p', limit: 10 })).map((e) => [e.action, e.allowed])).toEqual([['act3', false], ['act1', true]]);
      expect((await s.listAudit({ limit: 2, beforeId: all[1]!.id })).map((e) => e.action)).toEqual(['act2', 'act1']);
    });

    it('hands every caller the same signing key', async () => {
      const make = (kid: string) => () => ({ kid, secret: new Uint8Array(32).fill(kid.charCodeAt(0)), createdAt: at });
      const first = await s.signingKey(make('a'));
      const second = await s.signingKey(make('b'));
      expect(second.kid).toBe(first.kid);
      expect(Buffer.from(second.secret).equals(Buffer.from(first.secret))).toBe(true);
    });

    it('counts failed logins per key until cleared, and starts again after the forget window', async () => {
      const t = (ms: number) => new Date(at.getTime() + ms);
      expect(await s.getLoginFailures('k1')).toBeNull();
      for (let i = 1; i <= 3; i++) expect(await s.recordLoginFailure('k1', t(i), t(i - 1000))).toEqual({ count: i, lastAt: t(i) });
      await s.recordLoginFailure('k2', t(0), t(-1000));
      expect(await s.getLoginFailures('k1')).toEqual({ count: 3, lastAt: t(3) });
      // The last failure (t(3)) is before `since`: the count starts again.
      expect(await s.recordLoginFailure('k1', t(5000), t(4000))).toEqual({ count: 1, lastAt: t(5000) });
      await s.clearLoginFailures('k1');
      await s.clearLoginFailures('absent');
      expect(await s.getLoginFailures('k1')).toBeNull();
      expect(await s.getLoginFailures('k2')).toMatchObject({ count: 1 });
    });

    it('loses no failed login recorded concurrently, and prunes only old records', async () => {
      await Promise.all(Array.from({ length: 20 }, () => s.recordLoginFailure('busy', at, new Date(at.getTime() - 1000))));
      expect((await s.getLoginFailures('busy'))?.count).toBe(20);
      await s.recordLoginFailure('old', new Date(at.getTime() - 10_000), new Date(0));
      expect(await s.pruneLoginFailures(new Date(at.getTime() - 5000))).toBe(1);
      expect(await s.getLoginFailures('old')).toBeNull();
      expect((await s.getLoginFailures('busy'))?.count).toBe(20);
    });
  });
}
