import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Background work (agents' check-ins, heartbeats, results, the scheduler) runs in the
 * ingest lane; everything else (people's API calls) in the default one. The PostgreSQL
 * pool lets the ingest lane hold at most a third of its connections, so a flood of agent
 * traffic queues behind itself and never in front of an API read.
 */
const lane = new AsyncLocalStorage<'ingest'>();

/** Runs `work` (and everything it awaits) in the ingest lane. */
export function inIngestLane<T>(work: () => T): T {
  return lane.run('ingest', work);
}

/** Whether the caller runs in the ingest lane. */
export function isIngest(): boolean {
  return lane.getStore() === 'ingest';
}

/** A counting semaphore: at most `limit` holders; the rest wait in order. */
export class Gate {
  readonly limit: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a gate needs a limit ≥ 1, got ${limit}`);
    this.limit = limit;
  }

  get held(): number {
    return this.#held;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async enter(): Promise<void> {
    if (this.#held < this.limit) {
      this.#held++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  leave(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = Math.max(0, this.#held - 1);
  }
}

/**
 * The connections of a pool of `max` that the ingest lane may hold at once: a third (at least one).
 * Agents' traffic is many short writes; more of them at once do not end sooner on a server with a
 * few cores, they queue inside PostgreSQL in front of people's reads instead of here. With 2,000
 * agents on a 2-core machine, 3 of 10 connections were enough for the ingest lane: it never waited
 * for its share (bench/platform-agents.ts).
 */
export function ingestConnections(max: number): number {
  return Math.max(1, Math.round(max / 3));
}
