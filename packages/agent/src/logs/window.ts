/**
 * The agent's send window of one log stream (pure): chunks are numbered from 0; the
 * platform acknowledges the highest chunk it has written to its client. At most
 * `size` chunks are in flight; past that the reader pauses.
 */
export class SendWindow {
  readonly size: number;
  #next = 0;
  #acked = -1;

  constructor(size: number) {
    this.size = size;
  }

  /** The number of the next chunk (taken). */
  take(): number {
    return this.#next++;
  }

  ack(seq: number): void {
    if (seq > this.#acked) this.#acked = Math.min(seq, this.#next - 1);
  }

  inFlight(): number {
    return this.#next - 1 - this.#acked;
  }

  full(): boolean {
    return this.inFlight() >= this.size;
  }
}
