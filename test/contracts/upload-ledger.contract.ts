// The UploadLedger contract: every driver (SQLite, PostgreSQL) must pass these checks.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UploadLedger } from '../../src/core/ports/upload-ledger.js';

/** A fresh, empty ledger and how to dispose of it. */
export interface UploadLedgerHarness {
  ledger: UploadLedger;
  dispose(): Promise<void>;
}

const at = (ms: number) => new Date(1_700_000_000_000 + ms);

/** Registers the contract suite for a driver. */
export function uploadLedgerContract(driver: string, create: () => Promise<UploadLedgerHarness>): void {
  describe(`UploadLedger contract: ${driver}`, () => {
    let h: UploadLedgerHarness;
    beforeEach(async () => {
      h = await create();
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('hands out part numbers 1, 2, ... per upload, never twice, also concurrently', async () => {
      const a = randomUUID();
      const b = randomUUID();
      expect(await h.ledger.nextPart(a)).toBe(1);
      expect(await h.ledger.nextPart(a)).toBe(2);
      expect(await h.ledger.nextPart(b)).toBe(1);
      const many = await Promise.all(Array.from({ length: 20 }, () => h.ledger.nextPart(a)));
      expect(new Set(many).size).toBe(20);
      expect(Math.min(...many)).toBe(3);
      expect(Math.max(...many)).toBe(22);
    });

    it('records layouts per version, replaces one on put, and lists them by size', async () => {
      const id = randomUUID();
      expect(await h.ledger.get(id, 'v1')).toBeNull();
      await h.ledger.put(id, { version: 'v1', size: 10, layout: '{"a":1}', updatedAt: at(1) });
      await h.ledger.put(id, { version: 'v0', size: 5, layout: '{}', updatedAt: at(0) });
      expect(await h.ledger.get(id, 'v1')).toEqual({ version: 'v1', size: 10, layout: '{"a":1}', updatedAt: at(1) });
      await h.ledger.put(id, { version: 'v1', size: 10, layout: '{"a":2}', updatedAt: at(2) });
      expect((await h.ledger.get(id, 'v1'))?.layout).toBe('{"a":2}');
      expect((await h.ledger.list(id)).map((r) => r.version)).toEqual(['v0', 'v1']);
      expect(await h.ledger.list(randomUUID())).toEqual([]);
    });

    it('keeps large sizes exact', async () => {
      const id = randomUUID();
      const size = 5 * 1024 ** 4 + 7;
      await h.ledger.put(id, { version: 'big', size, layout: '{}', updatedAt: at(0) });
      expect((await h.ledger.get(id, 'big'))?.size).toBe(size);
    });

    it('drops the layouts below a size and returns them', async () => {
      const id = randomUUID();
      for (const [version, size] of [['a', 1], ['b', 2], ['c', 3], ['c2', 3]] as const) {
        await h.ledger.put(id, { version, size, layout: version, updatedAt: at(size) });
      }
      expect((await h.ledger.dropBelow(id, 3)).map((r) => r.version).sort()).toEqual(['a', 'b']);
      expect((await h.ledger.list(id)).map((r) => r.version)).toEqual(['c', 'c2']);
      expect(await h.ledger.dropBelow(id, 3)).toEqual([]);
    });

    it('forgets an upload, and lists uploads idle since before a moment', async () => {
      const old = randomUUID();
      const fresh = randomUUID();
      await h.ledger.put(old, { version: 'x', size: 1, layout: '{}', updatedAt: new Date(Date.now() - 3_600_000) });
      await h.ledger.put(fresh, { version: 'x', size: 1, layout: '{}', updatedAt: new Date() });
      const cutoff = new Date(Date.now() - 60_000);
      expect(await h.ledger.idleBefore(cutoff)).toEqual([old]);
      await h.ledger.nextPart(old);
      expect(await h.ledger.idleBefore(cutoff)).toEqual([]);
      const counted = randomUUID();
      await h.ledger.nextPart(counted);
      expect(await h.ledger.idleBefore(new Date(Date.now() + 60_000))).toEqual(expect.arrayContaining([old, fresh, counted]));
      await h.ledger.forget(old);
      expect(await h.ledger.list(old)).toEqual([]);
      expect(await h.ledger.nextPart(old)).toBe(1);
    });
  });
}
