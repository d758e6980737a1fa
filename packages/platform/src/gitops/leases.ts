import { sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { gitopsDb } from './tables.ts';

export interface SyncLeasesOptions {
  db: Database;
  /** This replica's name in the lease rows (unique among the replicas). */
  holder: string;
  /** How long a lease lasts without renewal (a replica that dies frees its clusters after this). */
  ttlMs?: number;
  /** How often a waiting sync tries again. */
  retryMs?: number;
}

/** A lease held on one cluster; `release()` ends it (and its renewals). */
export interface HeldLease {
  release(): Promise<void>;
}

/**
 * One row per cluster whose sync runs (`sync_leases`), so that replicas on one database never
 * run the same cluster's sync at once. Taken when absent, expired or already this holder's; the
 * database's clock decides expiry (replicas' clocks may differ). Renewed every third of the TTL.
 */
export class SyncLeases {
  readonly holder: string;
  readonly #db;
  readonly #ttlMs: number;
  readonly #retryMs: number;

  constructor(o: SyncLeasesOptions) {
    this.holder = o.holder;
    this.#db = gitopsDb(o.db);
    this.#ttlMs = o.ttlMs ?? 30_000;
    this.#retryMs = o.retryMs ?? 250;
  }

  /** Takes the cluster's lease if nobody else holds it; answers whether it did. */
  async tryAcquire(clusterId: string): Promise<boolean> {
    const expires = sql<Date>`now() + ${`${this.#ttlMs} milliseconds`}::interval`;
    const r = await this.#db
      .insertInto('sync_leases')
      .values({ cluster_id: clusterId, holder: this.holder, expires_at: expires })
      .onConflict((oc) =>
        oc
          .column('cluster_id')
          .doUpdateSet({ holder: this.holder, expires_at: expires })
          .where((eb) =>
            eb.or([
              eb('sync_leases.expires_at', '<', sql<Date>`now()`),
              eb('sync_leases.holder', '=', this.holder),
            ]),
          ),
      )
      .returning('holder')
      .executeTakeFirst();
    return r?.holder === this.holder;
  }

  /**
   * Waits until this holder has the cluster's lease (`cancelled()` true: gives up, answers
   * undefined), then keeps it renewed until released.
   */
  async acquire(clusterId: string, cancelled: () => boolean = () => false): Promise<HeldLease | undefined> {
    while (!(await this.tryAcquire(clusterId))) {
      if (cancelled()) return undefined;
      await new Promise((r) => setTimeout(r, this.#retryMs));
    }
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        renewing = this.tryAcquire(clusterId).catch(() => false);
      },
      Math.max(50, Math.floor(this.#ttlMs / 3)),
    );
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await renewing;
        await this.#db
          .deleteFrom('sync_leases')
          .where('cluster_id', '=', clusterId)
          .where('holder', '=', this.holder)
          .execute();
      },
    };
  }

  /** Who holds a cluster's lease now (undefined: nobody, or expired). */
  async holderOf(clusterId: string): Promise<string | undefined> {
    const r = await this.#db
      .selectFrom('sync_leases')
      .select('holder')
      .where('cluster_id', '=', clusterId)
      .where('expires_at', '>=', sql<Date>`now()`)
      .executeTakeFirst();
    return r?.holder;
  }
}
