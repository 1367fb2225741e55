// Loads the configuration from a JSON file, the environment and command-line flags, in that order of
// precedence, and validates it against the schema with errors that name the offending setting.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DatabaseConfig } from './database.js';
import { configSchema, ENV_SETTINGS, type Config } from './schema.js';

/** The driver a section uses when settings for it are given without naming one. */
const DEFAULT_DRIVERS = { database: 'sqlite', storage: 'filesystem' } as const;

/** Settings given on the command line. */
export interface ConfigFlags {
  config?: string | undefined;
  listen?: string | undefined;
  data?: string | undefined;
}

/** The storage section with its directory resolved (filesystem driver). */
export type StorageConfig = (Extract<Config['storage'], { driver: 'filesystem' }> & { path: string }) | Extract<Config['storage'], { driver: 's3' }>;

/** A configuration with every path resolved. */
export type ResolvedConfig = Omit<Config, 'database' | 'storage'> & {
  database: DatabaseConfig;
  storage: StorageConfig;
};

/** Builds the configuration from file < env < flags; throws an Error listing every invalid setting. */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const file = flags.config ?? env.BERTH_CONFIG;
  let merged: Record<string, unknown> = file ? readConfigFile(file) : {};
  merged = deepMerge(merged, fromEnv(env));
  merged = deepMerge(merged, stripUndefined({ listen: flags.listen, data: flags.data }));
  for (const [section, driver] of Object.entries(DEFAULT_DRIVERS)) {
    const value = merged[section];
    if (isPlainObject(value) && value.driver === undefined) merged[section] = { driver, ...value };
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${problems}`);
  }
  return resolvePaths(result.data);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new Error(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const { env: name, path } of ENV_SETTINGS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const setting = name === 'BERTH_DATABASE_URL' ? databaseFromUrl(value) : value;
    out = deepMerge(out, nest(path, setting));
  }
  return out;
}

function databaseFromUrl(url: string): Record<string, unknown> {
  if (/^postgres(ql)?:\/\//.test(url)) return { driver: 'postgres', url };
  return { driver: 'sqlite', path: url.replace(/^sqlite:(\/\/)?/, '') };
}

function resolvePaths(config: Config): ResolvedConfig {
  const data = resolve(config.data);
  const under = (p: string | undefined, fallback: string) => (p === undefined ? join(data, fallback) : isAbsolute(p) || p === ':memory:' ? p : resolve(p));
  const database: DatabaseConfig =
    config.database.driver === 'sqlite' ? { ...config.database, path: under(config.database.path, 'berth.db') } : config.database;
  const storage: StorageConfig =
    config.storage.driver === 'filesystem' ? { ...config.storage, path: under(config.storage.path, 'storage') } : config.storage;
  return { ...config, data, database, storage };
}

function nest(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] =
      isPlainObject(prev) && isPlainObject(value) && !('driver' in value && value.driver !== prev.driver) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
