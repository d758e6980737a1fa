import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type Dialect, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { Gate, ingestConnections, isIngest } from './lanes.ts';
import { PGliteDialect } from './pgliteDialect.ts';
import { PoolMonitor } from './poolMonitor.ts';
import { currentQueryTiming } from './queryTiming.ts';
import type { Database, Tables } from './types.ts';

/**
 * Where the data lives: a PostgreSQL server (with at most `poolSize` connections, default
 * `DEFAULT_POOL_SIZE`), or PGlite in a directory (or in memory when `dataDir` is absent).
 */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string };

/** Connections per PostgreSQL pool when the settings name no size. */
export const DEFAULT_POOL_SIZE = 10;

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseTarget['kind'];
  /** The connection pool's counts and waits (PostgreSQL only). */
  pool?: PoolMonitor;
  close(): Promise<void>;
}

/** The Kysely dialect for a target (tests may wrap it), with a monitor of its pool (PostgreSQL). */
export async function createDialect(target: DatabaseTarget, logger: Logger): Promise<Dialect> {
  return (await createMonitoredDialect(target, logger)).dialect;
}

async function createMonitoredDialect(
  target: DatabaseTarget,
  logger: Logger,
): Promise<{ dialect: Dialect; pool?: PoolMonitor }> {
  if (target.kind === 'postgres') {
    const max = target.poolSize ?? DEFAULT_POOL_SIZE;
    const pool = new pg.Pool({
      connectionString: target.url,
      max,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // a client whose server went away: the pool drops it and the next query reconnects. A checked-out
    // client has no pool listener, so each client gets its own (its query fails on its own)
    const lost = (err: Error) => logger.warn({ err: { message: err.message } }, 'database connection lost');
    pool.on('error', lost);
    pool.on('connect', (client) => client.on('error', lost));
    // the ingest lane (agents' traffic) holds at most a third of the connections: the rest are the API's
    const ingest = new Gate(ingestConnections(max));
    const monitor = new PoolMonitor('main', pool, max, ingest);
    const timed = {
      Client: pg.Client,
      options: pool.options,
      connect: async () => {
        const t0 = performance.now();
        const gated = isIngest();
        if (gated) await ingest.enter();
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (e) {
          if (gated) ingest.leave();
          throw e;
        }
        const t1 = performance.now();
        monitor.acquired((t1 - t0) / 1000);
        const timing = currentQueryTiming();
        if (timing) {
          timing.queries++;
          timing.waitMs += t1 - t0;
        }
        if (gated || timing) {
          const release = client.release;
          client.release = (err?: Error | boolean) => {
            client.release = release;
            if (timing) timing.heldMs += performance.now() - t1;
            if (gated) ingest.leave();
            return release.call(client, err);
          };
        }
        return client;
      },
      end: () => pool.end(),
    };
    return { dialect: new PostgresDialect({ pool: timed }), pool: monitor };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const pglite = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
  await pglite.waitReady;
  return { dialect: new PGliteDialect(pglite) };
}

/** Opens the database; `close()` ends the pool or closes PGlite. */
export async function openDatabase(
  target: DatabaseTarget,
  logger: Logger,
  wrap: (d: Dialect) => Dialect = (d) => d,
): Promise<DatabaseHandle> {
  const made = await createMonitoredDialect(target, logger);
  const db = new Kysely<Tables>({ dialect: wrap(made.dialect) });
  return { db, kind: target.kind, ...(made.pool ? { pool: made.pool } : {}), close: () => db.destroy() };
}

/** One cheap round trip, for health checks. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
}
