import type { KubeProxyChunk } from '@mooring/bus';

/** Puts numbered chunks back in order (pure): `accept` returns the chunks now ready, in order. */
export class ChunkSequencer {
  #next = 0;
  readonly #held = new Map<number, KubeProxyChunk>();

  accept(chunk: KubeProxyChunk): KubeProxyChunk[] {
    if (chunk.seq < this.#next) return [];
    this.#held.set(chunk.seq, chunk);
    const ready: KubeProxyChunk[] = [];
    for (let c = this.#held.get(this.#next); c; c = this.#held.get(this.#next)) {
      this.#held.delete(this.#next++);
      ready.push(c);
    }
    return ready;
  }
}
