import type { UserPrincipal } from './principal.ts';

/**
 * Principals of bearer secrets recently checked, by the secret's hash, each until a deadline
 * (a few seconds, never past its token's expiry): a person's or a script's requests in a burst
 * ask the database for their token once. Anything in this process that revokes a token or
 * changes a user clears it; another replica sees such a change within the TTL.
 */
export class PrincipalCache {
  readonly ttlMs: number;
  readonly #max: number;
  readonly #entries = new Map<string, { principal: UserPrincipal; until: number }>();
  #generation = 0;

  /** `ttlMs` 0: nothing is kept. */
  constructor(ttlMs: number, max = 10_000) {
    this.ttlMs = ttlMs;
    this.#max = max;
  }

  get(hash: string, now: Date): UserPrincipal | undefined {
    const e = this.#entries.get(hash);
    if (!e) return undefined;
    if (now.getTime() < e.until) return e.principal;
    this.#entries.delete(hash);
    return undefined;
  }

  /**
   * Which clearing the cache is at: a principal read from the database before a `clear()` is not
   * kept after it (the change that cleared it may be what makes it stale).
   */
  get generation(): number {
    return this.#generation;
  }

  /** Keeps `principal` (read at `generation`) for the TTL, or until `expiresAt` when that is sooner. */
  set(hash: string, principal: UserPrincipal, now: Date, expiresAt: Date | null, generation: number): void {
    if (this.ttlMs <= 0 || generation !== this.#generation) return;
    const until = Math.min(now.getTime() + this.ttlMs, expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    if (until <= now.getTime()) return;
    this.#entries.delete(hash);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(hash, { principal, until });
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
