import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import type { LeaderLock } from '../scheduler/leader.ts';
import { registriesDue } from './decide.ts';
import type { CatalogueIndexer } from './indexer.ts';
import { catalogueDb } from './tables.ts';

/** The advisory lock key of the catalogue's indexer (`catalog` as a number), apart from the sweep scheduler's. */
export const CATALOGUE_LOCK_KEY = 0x636174616c6f67n;

/** Most jobs the scheduler runs at once in this replica. */
const JOBS_AT_ONCE = 2;

/**
 * Starts index jobs for registries whose interval has come (or that were asked for).
 * One replica schedules: the one holding the catalogue's advisory lock.
 */
export class CatalogueScheduler {
  readonly #db;
  readonly #o: {
    clock: Clock;
    indexer: CatalogueIndexer;
    lock: LeaderLock;
    logger: Logger;
    tickMs: number;
    includeDefaults: boolean;
  };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #active = 0;
  #stopped = false;
  leader = false;

  constructor(o: {
    db: Database;
    clock: Clock;
    indexer: CatalogueIndexer;
    lock: LeaderLock;
    logger: Logger;
    tickMs?: number;
    /** False: the curated default registries are not indexed. */
    includeDefaults: boolean;
  }) {
    this.#db = catalogueDb(o.db);
    this.#o = { ...o, tickMs: o.tickMs ?? 2000 };
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    const tick = () => {
      this.#running ??= this.tick()
        .then(() => undefined)
        .catch((err: unknown) => this.#o.logger.warn({ err }, 'catalogue scheduling failed'))
        .finally(() => {
          this.#running = undefined;
        });
    };
    this.#timer = setInterval(tick, this.#o.tickMs);
    this.#timer.unref();
    tick();
  }

  /** One look: lead if possible, then start the jobs that are due. Answers the registries started. */
  async tick(): Promise<string[]> {
    if (this.#stopped) return [];
    this.leader = await this.#o.lock.tryAcquire();
    if (!this.leader) return [];
    let q = this.#db
      .selectFrom('chart_registries')
      .select(['id', 'interval_seconds', 'next_index_at', 'indexing_since', 'index_requested']);
    if (!this.#o.includeDefaults) q = q.where('is_default', '=', false);
    const rows = await q.execute();
    const due = registriesDue(
      rows.map((r) => ({
        id: r.id,
        intervalSeconds: r.interval_seconds,
        nextIndexAt: r.next_index_at,
        indexingSince: r.indexing_since,
        indexRequested: r.index_requested,
      })),
      this.#o.clock(),
    );
    const started: string[] = [];
    for (const id of due) {
      if (this.#active >= JOBS_AT_ONCE || this.#stopped) break;
      const requested = rows.find((r) => r.id === id)?.index_requested === true;
      const job = await this.#o.indexer.begin(id, requested ? 'manual' : 'schedule');
      if (!job) continue;
      this.#active++;
      void job.done.finally(() => {
        this.#active--;
      });
      started.push(id);
    }
    return started;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.#o.indexer.idle();
    await this.#o.lock.release();
    this.leader = false;
  }
}
