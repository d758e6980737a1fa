import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Background work (agents' check-ins, heartbeats, results, the scheduler) runs in the
 * ingest lane; everything else (people's API calls) in the default one. The PostgreSQL
 * pool lets the ingest lane hold at most `max - reserved` connections, so a flood of agent
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

/** Connections of a pool of `max` that only the default lane may use (a quarter, at least 1; none for a pool of 1). */
export function reservedForApi(max: number): number {
  return max <= 1 ? 0 : Math.max(1, Math.floor(max / 4));
}
