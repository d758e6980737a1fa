import { AsyncLocalStorage } from 'node:async_hooks';

/** What one request spent on the database: connections held (its queries' round trips) and the waits for them. */
export interface QueryTiming {
  /** Queries run (connection hand-outs). */
  queries: number;
  /** Milliseconds waiting for a pool connection, summed. */
  waitMs: number;
  /** Milliseconds holding a connection (the query's round trip), summed; queries at once overlap. */
  heldMs: number;
}

const current = new AsyncLocalStorage<QueryTiming>();

/** A fresh tally. */
export function newQueryTiming(): QueryTiming {
  return { queries: 0, waitMs: 0, heldMs: 0 };
}

/** Runs `work` (and everything it awaits) counting its queries into `t`. */
export function withQueryTiming<T>(t: QueryTiming, work: () => T): T {
  return current.run(t, work);
}

/** The tally of the caller's request, if it is counted. */
export function currentQueryTiming(): QueryTiming | undefined {
  return current.getStore();
}

/** The `Server-Timing` header value of a request (pure): database time, pool waits, and the whole. */
export function serverTimingHeader(t: QueryTiming, totalMs: number): string {
  const ms = (n: number) => n.toFixed(1);
  return [
    `db;dur=${ms(t.heldMs)};desc="${t.queries} ${t.queries === 1 ? 'query' : 'queries'}"`,
    `pool;dur=${ms(t.waitMs)}`,
    `total;dur=${ms(totalMs)}`,
  ].join(', ');
}
