import type { HeartbeatMessage } from '@mooring/bus';
import type { ReceivedHeartbeat } from './queries.ts';

export interface HeartbeatBatcherOptions {
  /** Stores one batch; answers the clusters stored (the others were unknown). */
  write: (batch: ReceivedHeartbeat[]) => Promise<Set<string>>;
  /** Longest a heartbeat waits before its batch is written. */
  flushMs?: number;
  /** A batch this large is written at once. */
  maxBatch?: number;
  onWritten?: (batch: ReceivedHeartbeat[], stored: Set<string>) => void;
  onError?: (err: unknown, batch: ReceivedHeartbeat[]) => void;
}

/**
 * Gathers heartbeats and writes them in batches (one transaction per batch instead of one per
 * heartbeat): at most `flushMs` after the first of a batch, or at `maxBatch`. One write at a time;
 * what arrives meanwhile makes the next batch.
 */
export class HeartbeatBatcher {
  readonly #o: Required<Pick<HeartbeatBatcherOptions, 'flushMs' | 'maxBatch'>> & HeartbeatBatcherOptions;
  #queue: ReceivedHeartbeat[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;

  constructor(o: HeartbeatBatcherOptions) {
    this.#o = { flushMs: 250, maxBatch: 500, ...o };
  }

  get pending(): number {
    return this.#queue.length;
  }

  add(heartbeat: HeartbeatMessage, receivedAt: Date): void {
    this.#queue.push({ heartbeat, receivedAt });
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
        (stored) => this.#o.onWritten?.(batch, stored),
        (err: unknown) => this.#o.onError?.(err, batch),
      )
      .finally(() => {
        this.#writing = undefined;
        if (this.#queue.length >= this.#o.maxBatch) this.#kick();
        else if (this.#queue.length > 0) this.#timer ??= setTimeout(() => this.#kick(), this.#o.flushMs);
      });
  }
}
