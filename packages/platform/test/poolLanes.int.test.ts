import { sql } from 'kysely';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { inIngestLane } from '../src/db/lanes.ts';

// The ingest lane's share of the pool against the kit's PostgreSQL: agents' traffic that fills its
// share queues behind itself, and a query of the API lane still gets a connection at once.

const kit = inject('kit');

describe('database pool lanes (PostgreSQL)', () => {
  it('a flood of ingest queries holds at most a third of the connections; an API query does not wait for them', async () => {
    const url = kit.postgresUrl;
    if (!url) throw new Error('the kit did not start PostgreSQL');
    const handle = await openDatabase({ kind: 'postgres', url, poolSize: 10 }, pino({ level: 'silent' }));
    try {
      const pool = handle.pool!;
      const waits: number[] = [];
      pool.onAcquire((s) => waits.push(s));
      const sleep = (seconds: number) => sql`select pg_sleep(${seconds})`.execute(handle.db);
      // six slow ingest queries: three run (a third of 10 connections), three wait their turn
      const flood = inIngestLane(() => Promise.all(Array.from({ length: 6 }, () => sleep(1.5))));
      await expect.poll(() => pool.snapshot().ingestHeld, { timeout: 10_000 }).toBe(3);
      expect(pool.snapshot()).toMatchObject({ max: 10, ingestHeld: 3, ingestWaiting: 3 });
      const t0 = performance.now();
      await sql`select 1`.execute(handle.db);
      const apiMs = performance.now() - t0;
      console.log(`[pool] an API query took ${apiMs.toFixed(0)} ms while ingest held its share and 3 waited`);
      expect(apiMs).toBeLessThan(1000);
      expect(pool.snapshot().ingestWaiting).toBeGreaterThan(0);
      await flood;
      expect(pool.snapshot()).toMatchObject({ ingestHeld: 0, ingestWaiting: 0 });
      // the ingest queries that waited for their share waited about one query's time
      expect(Math.max(...waits)).toBeGreaterThan(1);
    } finally {
      await handle.close();
    }
  }, 60_000);
});
