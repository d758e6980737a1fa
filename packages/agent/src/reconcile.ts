import {
  type AddonReport,
  type EngineContext,
  type HeartbeatPublisher,
  type ManifestReport,
  type ManifestSweepTarget,
  Reconciler,
  type SweepReport,
  type SweepTarget,
} from '@mooring/engine';
import type { Logger } from './logger.ts';

export interface ReconcileLoopOptions {
  engine: EngineContext;
  intervalMs: number;
  autoHeal: boolean;
  heartbeat: HeartbeatPublisher;
  logger: Logger;
  onSweep: (r: SweepReport) => void;
  /** A targeted re-check of one add-on or manifest member after a watch event. */
  onCheck?: (r: AddonReport) => void;
  onManifestCheck?: (r: ManifestReport) => void;
  /** Wait before trying again when the reconciler cannot start (default 5 s). */
  retryMs?: number;
}

/** The loop is stopping or stopped: a sweep asked for now will not happen. */
export class ReconcilerStoppedError extends Error {
  constructor() {
    super('the reconciler is stopped');
    this.name = 'ReconcilerStoppedError';
  }
}

/**
 * The engine's `Reconciler` for the agent's lifetime: started in the background
 * (its watch caches need the API server; a failed start is retried with a fresh
 * reconciler), holding the targets of the definition last applied.
 */
export class ReconcileLoop {
  readonly #o: ReconcileLoopOptions;
  #targets: SweepTarget[] = [];
  #manifests: ManifestSweepTarget[] = [];
  #current?: Reconciler;
  #starting?: Reconciler;
  #stopped = false;
  #holds = 0;
  #started: Promise<Reconciler>;
  #retryTimer?: NodeJS.Timeout;
  #wake?: () => void;

  constructor(o: ReconcileLoopOptions) {
    this.#o = o;
    this.#started = this.#run();
    // a rejection (stopped before starting) is for sweepNow's callers, not unhandled
    this.#started.catch(() => undefined);
  }

  /** Resolves once the reconciler runs (its first sweep done); rejects if stopped first. */
  get started(): Promise<unknown> {
    return this.#started;
  }

  /** The add-on of the definition last applied, by release name and namespace. */
  addonTarget(name: string, namespace: string): SweepTarget | undefined {
    return this.#targets.find((t) => t.addon.name === name && t.addon.namespace === namespace);
  }

  /** The manifest member of the definition last applied, by name. */
  manifestTarget(name: string): ManifestSweepTarget | undefined {
    return this.#manifests.find((t) => t.manifest.name === name);
  }

  setTargets(targets: SweepTarget[], manifests: ManifestSweepTarget[] = []): void {
    this.#targets = targets;
    this.#manifests = manifests;
    (this.#current ?? this.#starting)?.setTargets(targets, manifests);
  }

  /**
   * Holds the reconciler while an apply changes the cluster, so a sweep or a re-check
   * never acts against the definition being replaced; resolves when the running ones ended.
   */
  async pause(): Promise<void> {
    this.#holds++;
    await (this.#current ?? this.#starting)?.pause();
  }

  /** Ends a `pause`: the reconciler sweeps at once against the targets set meanwhile. */
  resume(): void {
    if (this.#holds === 0) return;
    this.#holds--;
    (this.#current ?? this.#starting)?.resume();
  }

  /** A full sweep now (waits for the reconciler to be running). */
  async sweepNow(): Promise<SweepReport> {
    const r = await this.#started;
    if (this.#stopped) throw new ReconcilerStoppedError();
    return r.sweepNow();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#wake?.();
    this.#starting?.stop();
    this.#current?.stop();
  }

  async #run(): Promise<Reconciler> {
    const o = this.#o;
    for (let attempt = 1; ; attempt++) {
      if (this.#stopped) throw new ReconcilerStoppedError();
      const r = new Reconciler(o.engine, {
        intervalMs: o.intervalMs,
        autoHeal: o.autoHeal,
        heartbeat: o.heartbeat,
        onSweep: o.onSweep,
        ...(o.onCheck ? { onCheck: (x: AddonReport) => o.onCheck?.(x) } : {}),
        ...(o.onManifestCheck ? { onManifestCheck: (x: ManifestReport) => o.onManifestCheck?.(x) } : {}),
      });
      r.setTargets(this.#targets, this.#manifests);
      for (let i = 0; i < this.#holds; i++) void r.pause();
      this.#starting = r;
      try {
        await r.start();
        this.#starting = undefined;
        if (this.#stopped) {
          r.stop();
          throw new ReconcilerStoppedError();
        }
        this.#current = r;
        return r;
      } catch (e) {
        this.#starting = undefined;
        r.stop();
        if (this.#stopped) throw new ReconcilerStoppedError();
        const retryMs = o.retryMs ?? 5000;
        o.logger.error({ err: e, attempt, retry_ms: retryMs }, 'the reconciler could not start; retrying');
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#retryTimer = setTimeout(resolve, retryMs);
        });
      }
    }
  }
}
