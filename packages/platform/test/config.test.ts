import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../src/config.ts';

describe('platform config', () => {
  it('has defaults: embedded database, local listen address', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      dataDir: '.mooring/platform',
      databaseUrl: undefined,
      listen: '127.0.0.1',
      port: 8400,
      publicUrl: 'http://localhost:8400',
      logLevel: 'info',
      databasePoolSize: 10,
    });
    expect(() => loadConfig({ MOORING_DATABASE_POOL_SIZE: '0' })).toThrow(
      /MOORING_DATABASE_POOL_SIZE: must be at least 1/,
    );
  });

  it('reads every variable', () => {
    const c = loadConfig({
      MOORING_DATA_DIR: '/var/lib/mooring',
      MOORING_DATABASE_URL: 'postgres://u:pw@db:5432/mooring',
      MOORING_LISTEN: '0.0.0.0',
      MOORING_PORT: '9000',
      MOORING_PUBLIC_URL: 'https://mooring.example.com/',
      MOORING_LOG_LEVEL: 'DEBUG',
      MOORING_DATABASE_POOL_SIZE: '25',
    });
    expect(c).toMatchObject({
      dataDir: '/var/lib/mooring',
      databasePoolSize: 25,
      port: 9000,
      publicUrl: 'https://mooring.example.com',
      logLevel: 'debug',
    });
  });

  it('names every bad variable and never shows a secret', () => {
    try {
      loadConfig({
        MOORING_PORT: 'abc',
        MOORING_DATABASE_URL: 'mysql://u:hunter2@db/x',
        MOORING_LOG_LEVEL: 'loud',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const err = e as ConfigError;
      expect(err.issues.map((i) => i.variable).sort()).toEqual([
        'MOORING_DATABASE_URL',
        'MOORING_LOG_LEVEL',
        'MOORING_PORT',
      ]);
      expect(err.message).not.toContain('hunter2');
    }
  });

  it('describes itself without the database password', () => {
    const d = describeConfig(loadConfig({ MOORING_DATABASE_URL: 'postgres://u:hunter2@db/x' }));
    expect(JSON.stringify(d)).not.toContain('hunter2');
    expect(d.database).toBe('postgresql');
  });
});
