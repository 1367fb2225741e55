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
    expect(c.storage.fsync).toBe(false);
  });

  it('reads BERTH_DATABASE_URL as PostgreSQL or a SQLite path, and boolean strings properly', () => {
    expect(loadConfig({}, { BERTH_DATABASE_URL: 'postgres://u@h/db' }).database).toMatchObject({ driver: 'postgres', url: 'postgres://u@h/db' });
    expect(loadConfig({}, { BERTH_DATABASE_URL: '/var/berth.db' }).database).toMatchObject({ driver: 'sqlite', path: '/var/berth.db' });
    expect(loadConfig({}, { BERTH_STORAGE_FSYNC: 'false' }).storage.fsync).toBe(false);
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
