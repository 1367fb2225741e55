import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('loadConfig', () => {
  it('defaults to SQLite and files under ./data on 127.0.0.1:5050', () => {
    const c = loadConfig({}, {});
    expect(c.listen).toBe('127.0.0.1:5050');
    expect(c.database).toMatchObject({ driver: 'sqlite', path: join(process.cwd(), 'data', 'berth.db'), synchronous: 'full' });
    expect(c.storage).toMatchObject({ driver: 'filesystem', path: join(process.cwd(), 'data', 'storage'), fsync: true });
  });

  it('merges file < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
    const file = join(dir, 'berth.json');
    writeFileSync(file, JSON.stringify({ listen: '0.0.0.0:1', data: '/from-file', log: { level: 'debug' }, storage: { driver: 'filesystem', fsync: false } }));
    const c = loadConfig({ config: file, listen: '127.0.0.1:3' }, { BERTH_LISTEN: '127.0.0.1:2', BERTH_DATA: '/from-env' });
    expect(c.listen).toBe('127.0.0.1:3');
    expect(c.data).toBe('/from-env');
    expect(c.log.level).toBe('debug');
    expect(c.storage).toMatchObject({ driver: 'filesystem', fsync: false });
  });

  it('reads BERTH_DATABASE_URL as PostgreSQL or a SQLite path, and boolean strings properly', () => {
    expect(loadConfig({}, { BERTH_DATABASE_URL: 'postgres://u@h/db' }).database).toMatchObject({ driver: 'postgres', url: 'postgres://u@h/db' });
    expect(loadConfig({}, { BERTH_DATABASE_URL: '/var/berth.db' }).database).toMatchObject({ driver: 'sqlite', path: '/var/berth.db' });
    expect(loadConfig({}, { BERTH_STORAGE_FSYNC: 'false' }).storage).toMatchObject({ fsync: false });
  });

  it('selects S3 storage from BERTH_STORAGE and BERTH_S3_*, over a filesystem section in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
    const file = join(dir, 'berth.json');
    writeFileSync(file, JSON.stringify({ storage: { driver: 'filesystem', path: '/blobs' } }));
    const env = { BERTH_STORAGE: 's3', BERTH_S3_BUCKET: 'models', BERTH_S3_ENDPOINT: 'http://minio:9000', BERTH_S3_FORCE_PATH_STYLE: 'true', BERTH_S3_PREFIX: 'berth/', BERTH_S3_REDIRECT: 'on' };
    expect(loadConfig({ config: file }, env).storage).toEqual({
      driver: 's3',
      bucket: 'models',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      prefix: 'berth/',
      redirect: true,
      redirectTtlSeconds: 900,
      partSizeMiB: 16,
    });
    expect(loadConfig({}, { BERTH_STORAGE: 'filesystem', BERTH_STORAGE_PATH: '/b' }).storage).toMatchObject({ driver: 'filesystem', path: '/b' });
  });

  it('refuses S3 settings without a bucket, on the filesystem driver, or with too small parts', () => {
    expect(() => loadConfig({}, { BERTH_STORAGE: 's3' })).toThrow(/storage\.bucket/);
    expect(() => loadConfig({}, { BERTH_S3_BUCKET: 'models' })).toThrow(/storage[\s\S]*bucket/);
    expect(() => loadConfig({}, { BERTH_STORAGE: 's3', BERTH_S3_BUCKET: 'm', BERTH_S3_PART_SIZE_MIB: '4' })).toThrow(/storage\.partSizeMiB/);
    expect(() => loadConfig({}, { BERTH_STORAGE: 'gcs' })).toThrow(/storage\.driver/);
  });

  it('names every invalid setting', () => {
    expect(() => loadConfig({ listen: 'nope' }, { BERTH_LOG_LEVEL: 'loud' })).toThrow(/listen: must be HOST:PORT[\s\S]*log\.level/);
    const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
    writeFileSync(join(dir, 'bad.json'), '{"listen": ');
    expect(() => loadConfig({ config: join(dir, 'bad.json') }, {})).toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'extra.json'), '{"lisen": "x"}');
    expect(() => loadConfig({ config: join(dir, 'extra.json') }, {})).toThrow(/lisen/);
  });
});
