/**
 * One timer for many streams: `schedule(fn)` runs `fn` at the end of the current period, with every
 * other callback scheduled in it, in the same turn of the event loop. Messages the callbacks publish
 * then leave together (the NATS client writes what a turn published in one socket write), instead
 * of one write per stream at its own time. A callback scheduled twice in a period runs once;
 * `cancel(fn)` takes it back. No timer runs while nothing is scheduled.
 */
export class BatchTimer {
  readonly #periodMs: number;
  #due = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;

  constructor(periodMs: number) {
    this.#periodMs = periodMs;
  }

  schedule(fn: () => void): void {
    this.#due.add(fn);
    this.#timer ??= setTimeout(() => this.#fire(), this.#periodMs);
  }

  cancel(fn: () => void): void {
    this.#due.delete(fn);
  }

  #fire(): void {
    this.#timer = undefined;
    const due = this.#due;
    this.#due = new Set();
    for (const fn of due) fn();
  }
}
