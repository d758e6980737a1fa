/** What a connection pool reports: its size, its use, and how long callers waited for a connection. */
export interface PoolSnapshot {
  /** The most connections the pool opens. */
  max: number;
  /** Connections open (idle or in use). */
  total: number;
  /** Connections open and idle. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** Connections held by the ingest lane (agents' traffic), and its callers waiting for its share. */
  ingestHeld: number;
  ingestWaiting: number;
}

/** The ingest lane's share of the pool. */
export interface LaneCounts {
  held: number;
  waiting: number;
}

/** The part of `pg.Pool` the monitor reads. */
export interface CountedPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Watches one connection pool: its counts on demand, and each connection hand-out's wait
 * (reported to the listeners, e.g. a histogram in the metrics).
 */
export class PoolMonitor {
  readonly name: string;
  readonly #pool: CountedPool;
  readonly #max: number;
  readonly #ingest: LaneCounts | undefined;
  readonly #listeners = new Set<(waitSeconds: number) => void>();

  constructor(name: string, pool: CountedPool, max: number, ingest?: LaneCounts) {
    this.name = name;
    this.#pool = pool;
    this.#max = max;
    this.#ingest = ingest;
  }

  snapshot(): PoolSnapshot {
    return {
      max: this.#max,
      total: this.#pool.totalCount,
      idle: this.#pool.idleCount,
      waiting: this.#pool.waitingCount,
      ingestHeld: this.#ingest?.held ?? 0,
      ingestWaiting: this.#ingest?.waiting ?? 0,
    };
  }

  /** Calls `listener` with each acquisition's wait in seconds; returns the unsubscribe function. */
  onAcquire(listener: (waitSeconds: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  acquired(waitSeconds: number): void {
    for (const l of this.#listeners) l(waitSeconds);
  }
}
