export interface WriteBatcherOptions<T, R> {
  /** Stores one batch. */
  write: (batch: T[]) => Promise<R>;
  /** Longest an item waits before its batch is written. */
  flushMs?: number;
  /** A batch this large is written at once. */
  maxBatch?: number;
  onWritten?: (batch: T[], result: R) => void;
  onError?: (err: unknown, batch: T[]) => void;
}

/**
 * Gathers items and writes them in batches (one statement or transaction per batch instead of
 * one per item): at most `flushMs` after the first of a batch, or at `maxBatch`. One write at a
 * time; what arrives meanwhile makes the next batch.
 */
export class WriteBatcher<T, R = void> {
  readonly #o: Required<Pick<WriteBatcherOptions<T, R>, 'flushMs' | 'maxBatch'>> & WriteBatcherOptions<T, R>;
  #queue: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;

  constructor(o: WriteBatcherOptions<T, R>) {
    this.#o = { flushMs: 250, maxBatch: 500, ...o };
  }

  get pending(): number {
    return this.#queue.length;
  }

  push(item: T): void {
    this.#queue.push(item);
    if (this.#queue.length >= this.#o.maxBatch) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#o.flushMs);
  }

  /** Writes everything queued so far (waits for a write under way first). */
  async flush(): Promise<void> {
    while (this.#writing || this.#queue.length > 0) {
      if (!this.#writing) this.#kick();
      await this.#writing;
    }
  }

  #kick(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#writing || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#o.maxBatch);
    this.#writing = this.#o
      .write(batch)
      .then(
        (result) => this.#o.onWritten?.(batch, result),
        (err: unknown) => this.#o.onError?.(err, batch),
      )
      .finally(() => {
        this.#writing = undefined;
        if (this.#queue.length >= this.#o.maxBatch) this.#kick();
        else if (this.#queue.length > 0) this.#timer ??= setTimeout(() => this.#kick(), this.#o.flushMs);
      });
  }
}
