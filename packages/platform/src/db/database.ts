import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type Dialect, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { PGliteDialect } from './pgliteDialect.ts';
import type { Database, Tables } from './types.ts';

/** Where the data lives: a PostgreSQL server, or PGlite in a directory (or in memory when `dataDir` is absent). */
export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir?: string };

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseTarget['kind'];
  close(): Promise<void>;
}

/** The Kysely dialect for a target (tests may wrap it). */
export async function createDialect(target: DatabaseTarget, logger: Logger): Promise<Dialect> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // a client whose server went away: the pool drops it and the next query reconnects. A checked-out
    // client has no pool listener, so each client gets its own (its query fails on its own)
    const lost = (err: Error) => logger.warn({ err: { message: err.message } }, 'database connection lost');
    pool.on('error', lost);
    pool.on('connect', (client) => client.on('error', lost));
    return new PostgresDialect({ pool });
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const pglite = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
  await pglite.waitReady;
  return new PGliteDialect(pglite);
}

/** Opens the database; `close()` ends the pool or closes PGlite. */
export async function openDatabase(
  target: DatabaseTarget,
  logger: Logger,
  wrap: (d: Dialect) => Dialect = (d) => d,
): Promise<DatabaseHandle> {
  const dialect = wrap(await createDialect(target, logger));
  const db = new Kysely<Tables>({ dialect });
  return { db, kind: target.kind, close: () => db.destroy() };
}

/** One cheap round trip, for health checks. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
}
