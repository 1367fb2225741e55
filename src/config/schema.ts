// The one configuration schema: types, defaults and validation. Sources merge file < env < flags;
// ENV_SETTINGS below is the whole list of environment variables, and the README's table follows it.
import { z } from 'zod';

const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => v === 'true' || v === '1' || v === 'on')]);

const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'must be HOST:PORT')
  .describe('address to listen on, HOST:PORT');

const database = z.discriminatedUnion('driver', [
  z.object({
    driver: z.literal('sqlite'),
    path: z.string().optional().describe('SQLite file (default <data>/berth.db)'),
    synchronous: z.enum(['full', 'normal']).default('full').describe('SQLite synchronous mode; full survives power loss'),
  }),
  z.object({
    driver: z.literal('postgres'),
    url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
    poolSize: z.coerce.number().int().positive().default(10),
  }),
]);

const storage = z.discriminatedUnion('driver', [
  z.object({
    driver: z.literal('filesystem'),
    path: z.string().optional().describe('blob directory (default <data>/storage)'),
    fsync: flag.default(true).describe('fsync blobs before acknowledging them'),
  }),
]);

/** The validated configuration. */
export const configSchema = z
  .object({
    listen: listen.default('127.0.0.1:5050'),
    data: z.string().min(1).default('./data').describe('data directory of the embedded default'),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).default({ level: 'info' }),
    database: database.default({ driver: 'sqlite', synchronous: 'full' }),
    storage: storage.default({ driver: 'filesystem', fsync: true }),
    registry: z
      .object({
        maxManifestBytes: z.coerce.number().int().min(4 << 20).default(4 << 20),
        maxPageSize: z.coerce.number().int().positive().default(1000),
        uploadTtlHours: z.coerce.number().positive().default(168),
      })
      .default({ maxManifestBytes: 4 << 20, maxPageSize: 1000, uploadTtlHours: 168 }),
    externalUrl: z.string().url().optional().describe('URL clients use to reach Berth (token realm, links); default: from each request'),
    auth: z
      .object({
        enabled: flag.default(true),
        adminPassword: z.string().min(8).optional(),
        service: z.string().min(1).default('berth'),
        tokenTtlSeconds: z.coerce.number().int().min(60).max(86_400).default(300),
      })
      .default({ enabled: true, service: 'berth', tokenTtlSeconds: 300 }),
    shutdown: z.object({ graceSeconds: z.coerce.number().nonnegative().default(30) }).default({ graceSeconds: 30 }),
  })
  .strict();

/** Berth's configuration after validation and defaults. */
export type Config = z.infer<typeof configSchema>;

/** Environment variables and the config path each one sets. */
export const ENV_SETTINGS: ReadonlyArray<{ env: string; path: string[]; description: string }> = [
  { env: 'BERTH_LISTEN', path: ['listen'], description: 'HOST:PORT to listen on (default 127.0.0.1:5050)' },
  { env: 'BERTH_DATA', path: ['data'], description: 'data directory (default ./data)' },
  { env: 'BERTH_LOG_LEVEL', path: ['log', 'level'], description: 'fatal, error, warn, info (default), debug, trace, silent' },
  { env: 'BERTH_DATABASE_URL', path: ['database'], description: 'postgres://... for PostgreSQL, or a SQLite file path' },
  { env: 'BERTH_SQLITE_SYNCHRONOUS', path: ['database', 'synchronous'], description: 'full (default) or normal' },
  { env: 'BERTH_STORAGE_PATH', path: ['storage', 'path'], description: 'blob directory (default <data>/storage)' },
  { env: 'BERTH_STORAGE_FSYNC', path: ['storage', 'fsync'], description: 'true (default) or false' },
  { env: 'BERTH_MAX_MANIFEST_BYTES', path: ['registry', 'maxManifestBytes'], description: 'largest manifest accepted (default 4 MiB)' },
  { env: 'BERTH_UPLOAD_TTL_HOURS', path: ['registry', 'uploadTtlHours'], description: 'idle upload sessions expire after this (default 168)' },
  { env: 'BERTH_EXTERNAL_URL', path: ['externalUrl'], description: 'URL clients reach Berth at, e.g. https://berth.example.com (default: taken from each request)' },
  { env: 'BERTH_AUTH', path: ['auth', 'enabled'], description: 'true (default) or false: access control and token auth' },
  { env: 'BERTH_ADMIN_PASSWORD', path: ['auth', 'adminPassword'], description: 'password of the admin user created on first start (default: generated and printed once)' },
  { env: 'BERTH_AUTH_SERVICE', path: ['auth', 'service'], description: 'service name in registry tokens (default berth)' },
  { env: 'BERTH_TOKEN_TTL_SECONDS', path: ['auth', 'tokenTtlSeconds'], description: 'lifetime of registry tokens (default 300)' },
  { env: 'BERTH_SHUTDOWN_GRACE_SECONDS', path: ['shutdown', 'graceSeconds'], description: 'how long SIGTERM waits for requests to finish (default 30)' },
];
