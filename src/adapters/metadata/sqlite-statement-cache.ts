// Kysely's SQLite driver prepares every query afresh (better-sqlite3 `prepare` parses and plans the SQL
// each time), which a profile of manifest pushes showed as a fifth of the server's busy time. This
// wraps the better-sqlite3 database handed to Kysely so that each distinct SQL text is prepared once
// and its statement reused, least recently used first out past `capacity` (queries with IN lists of
// varying length make many texts). A statement still being iterated (a streamed query) is never handed
// out twice: a fresh one is prepared for that call instead.
import type { Database as BetterSqliteDatabase, Statement } from 'better-sqlite3';

/** What Kysely's SqliteDialect needs of a database. */
export interface PreparingDatabase {
  prepare(sql: string): Statement;
  close(): void;
}

/** `database` with a bounded cache of prepared statements in front of `prepare`. */
export function withStatementCache(database: BetterSqliteDatabase, capacity = 500): PreparingDatabase {
  const cache = new Map<string, Statement>();
  return {
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        // Re-inserting keeps the Map's order least recently used first.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = database.prepare(sql);
      if (!hit) {
        cache.set(sql, statement);
        if (cache.size > capacity) cache.delete(cache.keys().next().value!);
      }
      return statement;
    },
    close() {
      cache.clear();
      database.close();
    },
  };
}
