import pg from 'pg';
import type { Logger } from 'pino';

/** One scheduler among the replicas: whoever holds the lock schedules. */
export interface LeaderLock {
  /** True while this process holds the lock (acquires it when free). */
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
}

/** The embedded database has one process: it always leads. */
export const soleLeader: LeaderLock = {
  tryAcquire: async () => true,
  release: async () => undefined,
};

/** The advisory lock key of the scheduler (`mooring.scheduler` as a 63-bit number). */
export const SCHEDULER_LOCK_KEY = 0x6d6f6f72696e67n; // "mooring"

/**
 * A PostgreSQL session-level advisory lock (`pg_try_advisory_lock`) held by a
 * dedicated connection: the lock lives as long as that session. A replica that dies
 * (even by SIGKILL) closes its socket, the server ends the session and frees the
 * lock, and the next replica to try takes it. A replica whose connection breaks
 * stops leading at once.
 */
export class PgAdvisoryLock implements LeaderLock {
  readonly #url: string;
  readonly #logger: Logger;
  readonly #key: bigint;
  #client: pg.Client | undefined;
  #held = false;

  constructor(url: string, logger: Logger, key = SCHEDULER_LOCK_KEY) {
    this.#url = url;
    this.#logger = logger;
    this.#key = key;
  }

  async tryAcquire(): Promise<boolean> {
    try {
      if (!this.#client) {
        const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: 5_000 });
        const lost = (err?: Error) => {
          if (this.#client !== client) return;
          if (this.#held)
            this.#logger.warn({ err: err ? { message: err.message } : undefined }, 'scheduler lock lost');
          this.#client = undefined;
          this.#held = false;
        };
        client.on('error', lost);
        client.on('end', () => lost());
        this.#client = client;
        await client.connect();
      }
      const client = this.#client;
      if (this.#held) {
        // still ours while the session lives: check it does
        await client.query('select 1');
        return this.#held;
      }
      const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1::bigint) as ok', [
        this.#key.toString(),
      ]);
      this.#held = r.rows[0]?.ok === true;
      return this.#held;
    } catch (e) {
      this.#logger.debug({ err: e }, 'scheduler lock: database unreachable');
      const c = this.#client;
      this.#client = undefined;
      this.#held = false;
      await c?.end().catch(() => undefined);
      return false;
    }
  }

  async release(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    this.#held = false;
    await c?.end().catch(() => undefined);
  }
}
