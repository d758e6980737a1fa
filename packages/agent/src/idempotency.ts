import type { HandlerOutput } from './commands.ts';

/** A finished unit of work: what its result said, to answer a repeat without running again. */
export interface FinishedWork {
  output: HandlerOutput;
  finishedAt: string;
  durationSeconds: number;
}

/** What to do with a command carrying an idempotency key (pure). */
export type IdempotencyDecision =
  | { action: 'run' }
  | { action: 'wait'; running: Promise<FinishedWork | undefined> }
  | { action: 'replay'; finished: FinishedWork };

export const DEFAULT_IDEMPOTENCY_CAPACITY = 1000;

/**
 * The agent's record of work by idempotency key: keys running now and a bounded
 * LRU of finished keys with their results. A command redelivered (or re-sent by a
 * restarted platform) for a finished key is answered from here and never run again;
 * one for a running key waits for that run. The record lives in memory: an agent
 * restart forgets it, so a repeat after a restart runs once more (at least once).
 */
export class IdempotencyRecord {
  readonly #capacity: number;
  readonly #finished = new Map<string, FinishedWork>();
  readonly #running = new Map<
    string,
    { promise: Promise<FinishedWork | undefined>; settle: (w?: FinishedWork) => void }
  >();

  constructor(capacity = DEFAULT_IDEMPOTENCY_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a whole number >= 1');
    this.#capacity = capacity;
  }

  /** Finished keys kept. */
  get size(): number {
    return this.#finished.size;
  }

  decide(key: string): IdempotencyDecision {
    const finished = this.#finished.get(key);
    if (finished) {
      // most recently used goes last
      this.#finished.delete(key);
      this.#finished.set(key, finished);
      return { action: 'replay', finished };
    }
    const running = this.#running.get(key);
    if (running) return { action: 'wait', running: running.promise };
    return { action: 'run' };
  }

  /** Marks `key` as running (call after `decide` answered `run`). */
  begin(key: string): void {
    if (this.#running.has(key)) return;
    let settle: (w?: FinishedWork) => void = () => undefined;
    const promise = new Promise<FinishedWork | undefined>((r) => {
      settle = r;
    });
    this.#running.set(key, { promise, settle });
  }

  /** Records the finished work; waiting repeats get it. */
  finish(key: string, work: FinishedWork): void {
    this.#finished.delete(key);
    this.#finished.set(key, work);
    while (this.#finished.size > this.#capacity) {
      const oldest = this.#finished.keys().next().value as string;
      this.#finished.delete(oldest);
    }
    const running = this.#running.get(key);
    this.#running.delete(key);
    running?.settle(work);
  }

  /** The run ended without a result (it crashed): a repeat may run it again. */
  abandon(key: string): void {
    const running = this.#running.get(key);
    this.#running.delete(key);
    running?.settle(undefined);
  }
}
