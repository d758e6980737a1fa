import Fastify from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { type DatabaseTarget, openDatabase } from '../src/db/database.ts';
import { registerServerTiming } from '../src/http/serverTiming.ts';

// `Server-Timing` against a real database: the kit's PostgreSQL (the pool) and PGlite (one
// connection), on a GET and on a POST whose body is parsed before its handler runs.

const kit = inject('kit');

function parse(
  header: string | string[] | number | undefined,
): Record<string, { dur: number; desc?: string }> {
  const out: Record<string, { dur: number; desc?: string }> = {};
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    const dur = Number(/dur=([\d.]+)/.exec(params.join(';'))?.[1]);
    const desc = /desc="([^"]*)"/.exec(params.join(';'))?.[1];
    if (name) out[name] = { dur, ...(desc !== undefined ? { desc } : {}) };
  }
  return out;
}

async function check(target: DatabaseTarget): Promise<void> {
  const handle = await openDatabase(target, pino({ level: 'silent' }));
  const app = Fastify();
  try {
    registerServerTiming(app);
    app.get('/slow', async () => {
      await sql`select pg_sleep(0.2)`.execute(handle.db);
      await sql`select 1`.execute(handle.db);
      return { ok: true };
    });
    app.post('/echo', async (request) => {
      const r = await sql<{ n: number }>`select ${(request.body as { n: number }).n}::int as n`.execute(
        handle.db,
      );
      return { n: r.rows[0]?.n };
    });
    app.get('/none', async () => ({ ok: true }));

    const slow = await app.inject({ method: 'GET', url: '/slow' });
    const t = parse(slow.headers['server-timing']);
    expect(t.db?.desc).toBe('2 queries');
    expect(t.db?.dur).toBeGreaterThanOrEqual(195);
    expect(t.pool?.dur).toBeGreaterThanOrEqual(0);
    expect(t.total?.dur).toBeGreaterThanOrEqual(t.db?.dur ?? Number.POSITIVE_INFINITY);

    const echo = await app.inject({ method: 'POST', url: '/echo', payload: { n: 7 } });
    expect(echo.json()).toEqual({ n: 7 });
    expect(parse(echo.headers['server-timing']).db?.desc).toBe('1 query');

    // requests at once keep their own tallies
    const [a, b] = await Promise.all([
      app.inject({ method: 'GET', url: '/slow' }),
      app.inject({ method: 'GET', url: '/none' }),
    ]);
    expect(parse(a.headers['server-timing']).db?.desc).toBe('2 queries');
    expect(parse(b.headers['server-timing']).db).toEqual({ dur: 0, desc: '0 queries' });
  } finally {
    await app.close();
    await handle.close();
  }
}

describe('Server-Timing', () => {
  it('names the database time, the pool waits and the whole of each request (PostgreSQL)', async () => {
    const url = kit.postgresUrl;
    if (!url) throw new Error('the kit did not start PostgreSQL');
    await check({ kind: 'postgres', url, poolSize: 4 });
  }, 60_000);

  it('names the database time of each request (PGlite)', async () => {
    await check({ kind: 'pglite' });
  }, 60_000);

  it('is off unless MOORING_SERVER_TIMING is true; another value is refused by name', () => {
    expect(loadConfig({}).serverTiming).toBe(false);
    expect(loadConfig({ MOORING_SERVER_TIMING: 'true' }).serverTiming).toBe(true);
    expect(() => loadConfig({ MOORING_SERVER_TIMING: 'yes' })).toThrow(
      /MOORING_SERVER_TIMING: must be true or false/,
    );
  });
});
