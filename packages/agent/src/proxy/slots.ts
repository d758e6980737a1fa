/**
 * At most `limit` holders at once; a caller that finds none free is refused at once
 * (the proxy answers 429, which kubectl and Helm retry), never queued.
 */
export class Slots {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`slot limit must be >= 1, got ${limit}`);
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  /** A release function (idempotent), or undefined when every slot is taken. */
  take(): (() => void) | undefined {
    if (this.#used >= this.limit) return undefined;
    this.#used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used--;
    };
  }
}
