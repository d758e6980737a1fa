import { randomBytes } from 'node:crypto';
import { startFaultProxy } from '@mooring/testkit';
import pg from 'pg';
import { inject } from 'vitest';
import { describeApiSuite } from './support/apiSuite.ts';

// The same API suite on the kit's PostgreSQL server, in a database of its own,
// reached through a TCP proxy that the outage test cuts and restores.
describeApiSuite('PostgreSQL', async () => {
  const url = inject('kit').postgresUrl;
  if (!url) throw new Error('the kit did not start PostgreSQL');
  const name = `platform_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const server = new URL(url);
  const proxy = await startFaultProxy(server.hostname, Number(server.port));
  const viaProxy = new URL(url);
  viaProxy.port = String(proxy.port);
  viaProxy.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: viaProxy.toString() },
    fault: { cut: () => proxy.cut(), restore: () => proxy.restore() },
    cleanup: async () => {
      await proxy.stop();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
});
