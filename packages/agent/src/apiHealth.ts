import { CoreApi, type KubeConfig } from '@mooring/kube';
import type { Logger } from './logger.ts';

/** Whether the agent reaches its cluster's API server. */
export interface ApiReachability {
  reachable: boolean;
  /** ISO time of the last change (unset until the first probe answered or failed). */
  since?: string;
  /** Why the last probe failed (while unreachable). */
  error?: string;
}

export interface ApiMonitorOptions {
  kc: KubeConfig;
  logger: Logger;
  /** Time between probes (default 5 s). */
  intervalMs?: number;
  /** A probe not answered within this long fails (default 5 s). */
  timeoutMs?: number;
  /** Called on every change, after the first probe. */
  onChange?: (r: ApiReachability) => void;
}

/** True when the error is an answer of the server (any HTTP status): it was reached. */
function answered(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'number' && code >= 100 && code < 600;
}

function describe(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e; x instanceof Error && parts.length < 3; x = x.cause) {
    const code = (x as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${x.message} (${code})` : x.message);
  }
  return parts.join(': ') || String(e);
}

/**
 * Probes the API server (`GET /version`, which every identity may read) every few seconds
 * and reports when it stops answering and when it answers again: a log line at each change
 * (with how long it was down), the `onChange` callback (readiness, the metric, holding the
 * reconciler) and `state()`. Any HTTP answer counts as reachable; only a connection that
 * fails or a probe that times out counts as unreachable.
 */
export class ApiMonitor {
  readonly #o: ApiMonitorOptions;
  readonly #api: CoreApi;
  #state: ApiReachability = { reachable: true };
  #known = false;
  #timer?: NodeJS.Timeout;
  #stopped = false;

  constructor(o: ApiMonitorOptions) {
    this.#o = o;
    this.#api = new CoreApi(o.kc);
  }

  state(): ApiReachability {
    return { ...this.#state };
  }

  start(): void {
    void this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** One probe now; resolves with the state after it. */
  async probe(): Promise<ApiReachability> {
    const timeoutMs = this.#o.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    let error: string | undefined;
    try {
      await Promise.race([
        this.#api.getCode(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (e) {
      if (!answered(e)) error = describe(e);
    } finally {
      clearTimeout(timer);
    }
    this.#record(error);
    return this.state();
  }

  #record(error: string | undefined): void {
    const reachable = error === undefined;
    const now = new Date();
    if (this.#known && reachable === this.#state.reachable) {
      if (!reachable) this.#state.error = error;
      return;
    }
    const before = this.#state;
    const first = !this.#known;
    this.#known = true;
    this.#state = { reachable, since: now.toISOString(), ...(error ? { error } : {}) };
    const { logger } = this.#o;
    if (!reachable) {
      logger.warn(
        { error, since: this.#state.since },
        'the Kubernetes API server is unreachable: the reconciler holds (nothing is pruned or healed) until it answers again',
      );
    } else if (!first) {
      const downSeconds = (now.getTime() - Date.parse(before.since ?? now.toISOString())) / 1000;
      logger.info(
        { down_seconds: Math.round(downSeconds * 10) / 10 },
        'the Kubernetes API server is reachable again',
      );
    }
    if (!first || !reachable) this.#o.onChange?.(this.state());
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    await this.probe().catch(() => undefined);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#o.intervalMs ?? 5000);
    this.#timer.unref();
  }
}
