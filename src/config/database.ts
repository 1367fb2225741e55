// Where the relational store lives, once paths are resolved: the SQLite file or a PostgreSQL URL.

/** The resolved database setting. */
export type DatabaseConfig =
  | { driver: 'sqlite'; path: string; synchronous: 'full' | 'normal' }
  | { driver: 'postgres'; url: string; poolSize: number };
