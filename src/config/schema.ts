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
  }).strict(),
  z.object({
    driver: z.literal('s3'),
    bucket: z.string().min(1).describe('bucket holding blobs and uploads'),
    endpoint: z.string().url().optional().describe('endpoint URL of MinIO, Ceph RGW or another S3-compatible server (default: AWS)'),
    region: z.string().min(1).default('us-east-1'),
    forcePathStyle: flag.default(false).describe('path-style URLs (endpoint/bucket/key), needed by most non-AWS servers'),
    prefix: z.string().optional().describe('key prefix of everything Berth stores in the bucket'),
    redirect: flag.default(false).describe('answer blob downloads with 307 to a presigned URL'),
    redirectTtlSeconds: z.coerce.number().int().min(1).max(604_800).default(900).describe('lifetime of presigned URLs'),
    partSizeMiB: z.coerce.number().int().min(5).max(5120).default(16).describe('multipart part size; a blob holds at most 10,000 parts'),
  }).strict(),
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
    shutdown: z
      .object({
        graceSeconds: z.coerce.number().nonnegative().default(30),
        delaySeconds: z.coerce.number().nonnegative().default(0).describe('after SIGTERM, keep serving with /readyz at 503 this long before closing the listener'),
      })
      .default({ graceSeconds: 30, delaySeconds: 0 }),
    metrics: z.object({ enabled: flag.default(true).describe('serve Prometheus metrics at /metrics') }).default({ enabled: true }),
    ui: z.object({ enabled: flag.default(true).describe('serve the web UI at /ui/') }).default({ enabled: true }),
    scanning: z
      .object({
        enabled: flag.default(true).describe('scan pushed model versions for code that runs on load (pickles)'),
        blockDangerous: flag.default(false).describe('refuse pulls (OCI and Hub) of versions whose scan found dangerous imports'),
      })
      .default({ enabled: true, blockDangerous: false }),
    webhooks: z
      .object({
        maxAttempts: z.coerce.number().int().min(1).max(100).default(10).describe('attempts per delivery before it is given up'),
        timeoutSeconds: z.coerce.number().positive().max(300).default(10).describe('time a receiver has to answer'),
        retryBaseSeconds: z.coerce.number().positive().default(2).describe('delay before the first retry; doubles each time, with jitter'),
        retryMaxSeconds: z.coerce.number().positive().default(600).describe('longest delay between attempts (caps Retry-After too)'),
        concurrency: z.coerce.number().int().min(1).max(256).default(8),
        pollMs: z.coerce.number().int().min(10).default(1000),
        retentionDays: z.coerce.number().positive().default(30).describe('finished deliveries and their events are kept this long'),
      })
      .default({ maxAttempts: 10, timeoutSeconds: 10, retryBaseSeconds: 2, retryMaxSeconds: 600, concurrency: 8, pollMs: 1000, retentionDays: 30 }),
    gc: z
      .object({
        intervalHours: z.coerce.number().nonnegative().default(0).describe('run garbage collection this often (0: only on request)'),
        graceSeconds: z.coerce.number().int().nonnegative().default(7200).describe('spare blobs and links used more recently than this'),
      })
      .default({ intervalHours: 0, graceSeconds: 7200 }),
    quotas: z
      .object({
        defaultStorageBytes: z.coerce.number().int().min(-1).default(-1).describe('storage limit in bytes of projects without their own (-1: unlimited)'),
        warningPercent: z.coerce.number().min(1).max(100).default(85).describe('a push that takes a project over this share of its limit raises quota.warning'),
      })
      .default({ defaultStorageBytes: -1, warningPercent: 85 }),
    retention: z
      .object({ pullTimesFlushMs: z.coerce.number().int().min(10).max(600_000).default(10_000).describe('how often noted manifest pull times are written (pulledAt, pull-based retention)') })
      .default({ pullTimesFlushMs: 10_000 }),
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
  { env: 'BERTH_STORAGE', path: ['storage', 'driver'], description: 'filesystem (default) or s3' },
  { env: 'BERTH_STORAGE_PATH', path: ['storage', 'path'], description: 'blob directory (default <data>/storage)' },
  { env: 'BERTH_STORAGE_FSYNC', path: ['storage', 'fsync'], description: 'true (default) or false' },
  { env: 'BERTH_S3_BUCKET', path: ['storage', 'bucket'], description: 'S3 bucket (with BERTH_STORAGE=s3); credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS chain' },
  { env: 'BERTH_S3_ENDPOINT', path: ['storage', 'endpoint'], description: 'endpoint URL of MinIO, Ceph RGW or another S3-compatible server (default: AWS)' },
  { env: 'BERTH_S3_REGION', path: ['storage', 'region'], description: 'S3 region (default us-east-1)' },
  { env: 'BERTH_S3_FORCE_PATH_STYLE', path: ['storage', 'forcePathStyle'], description: 'true or false (default): path-style URLs, needed by most non-AWS servers' },
  { env: 'BERTH_S3_PREFIX', path: ['storage', 'prefix'], description: 'key prefix of everything Berth stores in the bucket (default none)' },
  { env: 'BERTH_S3_REDIRECT', path: ['storage', 'redirect'], description: 'true or false (default): blob downloads answer 307 to a presigned S3 URL' },
  { env: 'BERTH_S3_PART_SIZE_MIB', path: ['storage', 'partSizeMiB'], description: 'multipart part size in MiB, 5-5120 (default 16; a blob holds at most 10,000 parts)' },
  { env: 'BERTH_MAX_MANIFEST_BYTES', path: ['registry', 'maxManifestBytes'], description: 'largest manifest accepted (default 4 MiB)' },
  { env: 'BERTH_UPLOAD_TTL_HOURS', path: ['registry', 'uploadTtlHours'], description: 'idle upload sessions expire after this (default 168)' },
  { env: 'BERTH_EXTERNAL_URL', path: ['externalUrl'], description: 'URL clients reach Berth at, e.g. https://berth.example.com (default: taken from each request)' },
  { env: 'BERTH_AUTH', path: ['auth', 'enabled'], description: 'true (default) or false: access control and token auth' },
  { env: 'BERTH_ADMIN_PASSWORD', path: ['auth', 'adminPassword'], description: 'password of the admin user created on first start (default: generated and printed once)' },
  { env: 'BERTH_AUTH_SERVICE', path: ['auth', 'service'], description: 'service name in registry tokens (default berth)' },
  { env: 'BERTH_TOKEN_TTL_SECONDS', path: ['auth', 'tokenTtlSeconds'], description: 'lifetime of registry tokens (default 300)' },
  { env: 'BERTH_SHUTDOWN_GRACE_SECONDS', path: ['shutdown', 'graceSeconds'], description: 'how long SIGTERM waits for requests to finish (default 30)' },
  { env: 'BERTH_SCANNING', path: ['scanning', 'enabled'], description: 'true (default) or false: scan pushed model versions for unsafe pickles' },
  { env: 'BERTH_SCAN_BLOCK_DANGEROUS', path: ['scanning', 'blockDangerous'], description: 'true or false (default): refuse pulls of versions whose scan found dangerous imports' },
  { env: 'BERTH_WEBHOOK_MAX_ATTEMPTS', path: ['webhooks', 'maxAttempts'], description: 'attempts per webhook delivery before it is given up (default 10)' },
  { env: 'BERTH_WEBHOOK_TIMEOUT_SECONDS', path: ['webhooks', 'timeoutSeconds'], description: 'time a webhook receiver has to answer (default 10)' },
  { env: 'BERTH_WEBHOOK_RETRY_BASE_SECONDS', path: ['webhooks', 'retryBaseSeconds'], description: 'delay before the first webhook retry, doubling after (default 2)' },
  { env: 'BERTH_WEBHOOK_RETRY_MAX_SECONDS', path: ['webhooks', 'retryMaxSeconds'], description: 'longest delay between webhook attempts (default 600)' },
  { env: 'BERTH_WEBHOOK_POLL_MS', path: ['webhooks', 'pollMs'], description: 'how often a replica looks for due webhook deliveries (default 1000)' },
  { env: 'BERTH_WEBHOOK_RETENTION_DAYS', path: ['webhooks', 'retentionDays'], description: 'how long finished webhook deliveries and their events are kept (default 30)' },
  { env: 'BERTH_SHUTDOWN_DELAY_SECONDS', path: ['shutdown', 'delaySeconds'], description: 'after SIGTERM, keep serving with /readyz at 503 this long before closing the listener (default 0)' },
  { env: 'BERTH_METRICS', path: ['metrics', 'enabled'], description: 'true (default) or false: Prometheus metrics at /metrics' },
  { env: 'BERTH_UI', path: ['ui', 'enabled'], description: 'true (default) or false: the web UI at /ui/' },
  { env: 'BERTH_GC_INTERVAL_HOURS', path: ['gc', 'intervalHours'], description: 'run garbage collection every N hours (default 0: only on request)' },
  { env: 'BERTH_QUOTA_DEFAULT_STORAGE', path: ['quotas', 'defaultStorageBytes'], description: 'storage limit in bytes of projects without their own quota (default -1: unlimited)' },
  { env: 'BERTH_PULL_TIMES_FLUSH_MS', path: ['retention', 'pullTimesFlushMs'], description: 'how often noted manifest pull times are written, in ms (default 10000)' },
  { env: 'BERTH_GC_GRACE_SECONDS', path: ['gc', 'graceSeconds'], description: 'garbage collection spares blobs used more recently than this (default 7200)' },
];
