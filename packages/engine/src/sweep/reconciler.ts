import type { CacheEvent } from '@mooring/kube';
import { WatchCache } from '@mooring/kube';
import type { EngineContext } from '../context.ts';
import { LiveState } from './liveState.ts';
import { addonKey, runSweep } from './sweep.ts';
import type {
  AddonMemory,
  AddonReport,
  HeartbeatPublisher,
  SweepOptions,
  SweepReport,
  SweepTarget,
} from './types.ts';

export interface ReconcilerOptions extends SweepOptions {
  /** Time between full sweeps (default 60 s). */
  intervalMs?: number;
  /** Wait this long after a watch event before re-checking its add-on, to coalesce bursts (default 150 ms). */
  debounceMs?: number;
  heartbeat?: HeartbeatPublisher;
  onSweep?: (r: SweepReport) => void;
  /** Called after a targeted re-check triggered by a watch event. */
  onCheck?: (r: AddonReport, trigger: CacheEvent) => void;
}

/**
 * Keeps a cluster equal to its definition: a full sweep every interval, and a
 * targeted re-check of an add-on within moments of a watch event on one of its
 * objects (so drift is seen and healed in seconds, not at the next sweep).
 */
export class Reconciler {
  readonly live: LiveState;
  private readonly ctx: EngineContext;
  private targets: SweepTarget[] = [];
  private readonly memory = new Map<string, AddonMemory>();
  private readonly opts: ReconcilerOptions;
  private timer?: NodeJS.Timeout;
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; event: CacheEvent }>();
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  private unsubscribe?: () => void;
  private sweeping?: Promise<SweepReport>;
  private stopped = false;

  constructor(ctx: EngineContext, opts: ReconcilerOptions = {}) {
    this.ctx = ctx;
    this.opts = opts;
    this.live = new LiveState(
      new WatchCache(ctx.kc, { labelSelector: 'owner=helm' }),
      new WatchCache(ctx.kc),
    );
  }

  setTargets(targets: SweepTarget[]): void {
    this.targets = targets;
  }

  async start(): Promise<void> {
    await this.live.start();
    this.unsubscribe = this.live.objects.subscribe((e) => this.onEvent(e));
    const unsubReleases = this.live.releases.subscribe((e) => this.onEvent(e));
    const prev = this.unsubscribe;
    this.unsubscribe = () => {
      prev();
      unsubReleases();
    };
    await this.sweepNow();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.unsubscribe?.();
    this.live.objects.stop();
    this.live.releases.stop();
  }

  /** A full sweep now (manual trigger); concurrent calls share one sweep. */
  sweepNow(): Promise<SweepReport> {
    if (!this.sweeping) {
      this.sweeping = runSweep(this.ctx, this.live, this.targets, this.memory, {
        ...this.opts,
        heartbeat: this.opts.heartbeat,
      })
        .then((r) => {
          this.opts.onSweep?.(r);
          return r;
        })
        .finally(() => {
          this.sweeping = undefined;
        });
    }
    return this.sweeping;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.sweepNow().catch(() => undefined);
      this.schedule();
    }, this.opts.intervalMs ?? 60_000);
  }

  /** Which add-on an event's object belongs to: Helm's ownership annotations, or the release Secret's labels. */
  private targetFor(e: CacheEvent): SweepTarget | undefined {
    const md = e.object.metadata;
    let name: string | undefined;
    let ns: string | undefined;
    if (md.labels?.owner === 'helm' && e.object.kind === 'Secret') {
      name = md.labels.name;
      ns = md.namespace;
    } else {
      name = md.annotations?.['meta.helm.sh/release-name'];
      ns = md.annotations?.['meta.helm.sh/release-namespace'];
    }
    if (!name || !ns) return undefined;
    return this.targets.find((t) => t.addon.name === name && t.addon.namespace === ns);
  }

  private onEvent(e: CacheEvent): void {
    if (this.stopped) return;
    const t = this.targetFor(e);
    if (!t) return;
    const key = addonKey(t);
    const p = this.pending.get(key);
    if (p) clearTimeout(p.timer);
    const timer = setTimeout(() => void this.check(t, e), this.opts.debounceMs ?? 150);
    this.pending.set(key, { timer, event: e });
  }

  private async check(t: SweepTarget, e: CacheEvent): Promise<void> {
    const key = addonKey(t);
    this.pending.delete(key);
    if (this.busy.has(key)) {
      this.again.add(key);
      return;
    }
    this.busy.add(key);
    try {
      const r = await runSweep(this.ctx, this.live, [t], this.memory, { ...this.opts, heartbeat: undefined });
      if (r.addons[0]) this.opts.onCheck?.(r.addons[0], e);
    } finally {
      this.busy.delete(key);
      if (this.again.delete(key) && !this.stopped) void this.check(t, e);
    }
  }
}
