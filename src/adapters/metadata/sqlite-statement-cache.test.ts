// The statement cache on a real in-memory better-sqlite3 database, and under Kysely.
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './sqlite-statement-cache.js';

let raw: SQLite.Database;
afterEach(() => {
  if (raw.open) raw.close();
});

describe('withStatementCache', () => {
  it('prepares each SQL text once and hands back the same statement', () => {
    raw = new SQLite(':memory:');
    const db = withStatementCache(raw);
    const first = db.prepare('select 1 as one');
    expect(db.prepare('select 1 as one')).toBe(first);
    expect(db.prepare('select 2 as two')).not.toBe(first);
    expect(first.all()).toEqual([{ one: 1 }]);
  });

  it('prepares a fresh statement while the cached one is still being iterated', () => {
    raw = new SQLite(':memory:');
    const db = withStatementCache(raw);
    raw.exec('create table t (n integer); insert into t values (1), (2), (3)');
    const cached = db.prepare('select n from t order by n');
    const rows: number[] = [];
    for (const row of cached.iterate() as IterableIterator<{ n: number }>) {
      const inner = db.prepare('select n from t order by n');
      expect(inner).not.toBe(cached);
      rows.push(row.n, (inner.all() as Array<{ n: number }>).length);
    }
    expect(rows).toEqual([1, 3, 2, 3, 3, 3]);
    expect(db.prepare('select n from t order by n')).toBe(cached);
  });

  it('keeps at most `capacity` statements, dropping the least recently used', () => {
    raw = new SQLite(':memory:');
    const db = withStatementCache(raw, 2);
    const a = db.prepare('select 1');
    const b = db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(a); // now `select 2` is the least recently used
    db.prepare('select 3');
    expect(db.prepare('select 1')).toBe(a);
    expect(db.prepare('select 2')).not.toBe(b);
  });

  it('serves Kysely queries, writes and transactions, and closes the database', async () => {
    raw = new SQLite(':memory:');
    const kysely = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
    await kysely.schema.createTable('t').addColumn('n', 'integer').execute();
    for (let i = 0; i < 3; i++) {
      await kysely.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ n: i }).execute();
      });
    }
    await expect(kysely.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ n: 99 }).execute();
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect((await kysely.selectFrom('t').select('n').orderBy('n').execute()).map((r) => r.n)).toEqual([0, 1, 2]);
    await kysely.destroy();
    expect(raw.open).toBe(false);
  });
});
