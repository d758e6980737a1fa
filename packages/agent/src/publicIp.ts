import { isIP } from 'node:net';
import { type HttpAnswer, type HttpRequestInit, httpFetch } from '@mooring/engine';
import type { Logger } from './logger.ts';

/** The address in a lookup's answer (pure): `{"ip": "..."}` (ipify's JSON) or the address as plain text. */
export function parsePublicIp(body: string): string | undefined {
  const text = body.trim();
  let candidate = text;
  if (text.startsWith('{')) {
    try {
      const ip = (JSON.parse(text) as { ip?: unknown }).ip;
      candidate = typeof ip === 'string' ? ip.trim() : '';
    } catch {
      return undefined;
    }
  }
  return isIP(candidate) ? candidate : undefined;
}

export interface PublicIpOptions {
  lookupUrl: string;
  refreshSeconds: number;
  lookupTimeoutSeconds: number;
  logger: Logger;
  /** How the lookup is sent (default `httpFetch`: fetch's contract without loading undici). */
  fetch?: (url: string, init: HttpRequestInit) => Promise<HttpAnswer>;
  now?: () => number;
}

/** After a failed lookup, the next one waits this long (or the refresh time, when shorter). */
const RETRY_AFTER_FAILURE_MS = 60_000;

/**
 * The cluster's public egress IP for the fleet map, looked up with one outbound GET to
 * `lookupUrl` (bounded by `lookupTimeoutSeconds`) and kept for `refreshSeconds`. A failed
 * lookup keeps the last address (none before the first success) and is tried again a minute
 * later. Created only when `public_ip.reporting_enabled` is on: otherwise no lookup is made.
 */
export class PublicIpReporter {
  readonly #o: PublicIpOptions;
  #ip: string | undefined;
  #next = 0;
  #running: Promise<void> | undefined;

  constructor(o: PublicIpOptions) {
    this.#o = o;
  }

  /** The address to report now, looking it up first when it is due. */
  async current(): Promise<string | undefined> {
    const now = (this.#o.now ?? Date.now)();
    if (now >= this.#next) {
      this.#running ??= this.#lookup(now).finally(() => {
        this.#running = undefined;
      });
      await this.#running;
    }
    return this.#ip;
  }

  async #lookup(now: number): Promise<void> {
    const refreshMs = this.#o.refreshSeconds * 1000;
    try {
      const res = await (this.#o.fetch ?? httpFetch)(this.#o.lookupUrl, {
        signal: AbortSignal.timeout(this.#o.lookupTimeoutSeconds * 1000),
        headers: { accept: 'application/json, text/plain' },
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const ip = parsePublicIp(await res.text());
      if (!ip) throw new Error('the answer holds no IP address');
      this.#ip = ip;
      this.#next = now + refreshMs;
    } catch (err) {
      this.#next = now + Math.min(refreshMs, RETRY_AFTER_FAILURE_MS);
      this.#o.logger.warn({ err, url: this.#o.lookupUrl }, 'public IP lookup failed');
    }
  }
}
