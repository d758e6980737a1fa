import type { CacheEvent } from '@mooring/kube';
import { type EngineContext, LABEL_CLUSTER, LABEL_MEMBER } from '../context.ts';
import { createLiveState, type LiveState } from './liveState.ts';
import { addonKey, runSweep } from './sweep.ts';
import type {
  AddonMemory,
  AddonReport,
  HeartbeatPublisher,
  ManifestReport,
  ManifestSweepTarget,
  SweepOptions,
  SweepReport,
  SweepTarget,
} from './types.ts';

export interface ReconcilerOptions extends SweepOptions {
  /** Time between full sweeps (default 60 s). */
  intervalMs?: number;
  /** Re-check a member this long after the first watch event of a burst on its objects, coalescing the burst (default 150 ms). */
  debounceMs?: number;
  heartbeat?: HeartbeatPublisher;
  onSweep?: (r: SweepReport) => void;
  /** Called after a targeted re-check of an add-on triggered by a watch event. */
  onCheck?: (r: AddonReport, trigger: CacheEvent) => void;
  /** Called after a targeted re-check of a manifest member triggered by a watch event. */
  onManifestCheck?: (r: ManifestReport, trigger: CacheEvent) => void;
}

/** What one watch event asks to re-check. */
type Item = { key: string; addon: SweepTarget } | { key: string; manifest: ManifestSweepTarget };

/**
 * Keeps a cluster equal to its definition: a full sweep every interval, and a
 * targeted re-check of an add-on or manifest member within moments of a watch
 * event on one of its objects (so drift is seen and healed in seconds, not at
 * the next sweep).
 */
export class Reconciler {
  readonly live: LiveState;
  private readonly ctx: EngineContext;
  private targets: SweepTarget[] = [];
  private manifests: ManifestSweepTarget[] = [];
  private readonly memory = new Map<string, AddonMemory>();
  private readonly opts: ReconcilerOptions;
  private timer?: NodeJS.Timeout;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly busy = new Set<string>();
  private readonly again = new Map<string, CacheEvent>();
  /** The newest event of each burst waiting for its check. */
  private readonly latest = new Map<string, CacheEvent>();
  private unsubscribe: (() => void)[] = [];
  private sweeping?: Promise<SweepReport>;
  private stopped = false;
  private holds = 0;
  private released?: Promise<void>;
  private release?: () => void;
  private readonly checks = new Set<Promise<void>>();

  constructor(ctx: EngineContext, opts: ReconcilerOptions = {}) {
    this.opts = opts;
    // the context's object cache, when it has one, is shared (one watch per kind in the process)
    this.live = createLiveState(ctx.kc, ctx.objects);
    // heals wait for health on the same object cache the sweep reads
    this.ctx = { ...ctx, objects: this.live.objects };
  }

  setTargets(targets: SweepTarget[], manifests: ManifestSweepTarget[] = []): void {
    this.targets = targets;
    this.manifests = manifests;
  }

  async start(): Promise<void> {
    await this.live.start();
    this.unsubscribe = [
      this.live.objects.subscribe((e) => this.onEvent(e)),
      this.live.releases.subscribe((e) => this.onEvent(e)),
    ];
    await this.sweepNow();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.pending.values()) clearTimeout(t);
    for (const u of this.unsubscribe) u();
    this.live.stop();
  }

  /**
   * Stops acting while someone else changes the cluster (an apply of a new definition):
   * resolves once the running sweep and re-checks have ended; until `resume`, timed
   * sweeps and watch-event re-checks are skipped and `sweepNow` waits. Holds nest.
   */
  async pause(): Promise<void> {
    this.holds++;
    if (this.holds === 1) {
      this.released = new Promise((resolve) => {
        this.release = resolve;
      });
      for (const t of this.pending.values()) clearTimeout(t);
      this.pending.clear();
      this.latest.clear();
      this.again.clear();
    }
    await Promise.allSettled([this.sweeping, ...this.checks]);
  }

  /** Ends one `pause`; the last one starts a full sweep at once (against the targets set meanwhile). */
  resume(): void {
    if (this.holds === 0) return;
    this.holds--;
    if (this.holds > 0) return;
    this.release?.();
    this.released = undefined;
    if (!this.stopped) void this.sweepNow().catch(() => undefined);
  }

  /** A full sweep now (manual trigger); concurrent calls share one sweep. Waits while paused. */
  async sweepNow(): Promise<SweepReport> {
    while (this.released) await this.released;
    if (!this.sweeping) {
      this.sweeping = runSweep(this.ctx, this.live, this.targets, this.memory, {
        ...this.opts,
        manifests: this.manifests,
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
      if (this.holds === 0) await this.sweepNow().catch(() => undefined);
      this.schedule();
    }, this.opts.intervalMs ?? 60_000);
  }

  /**
   * Which member an event's object belongs to: a release Secret's labels or
   * Helm's ownership annotations name an add-on; Mooring's own labels on an
   * applied object name a manifest member.
   */
  private itemFor(e: CacheEvent): Item | undefined {
    const md = e.object.metadata;
    const labels = md.labels ?? {};
    let name: string | undefined;
    let ns: string | undefined;
    if (labels.owner === 'helm' && e.object.kind === 'Secret') {
      name = labels.name;
      ns = md.namespace;
    } else if (md.annotations?.['meta.helm.sh/release-name']) {
      name = md.annotations['meta.helm.sh/release-name'];
      ns = md.annotations['meta.helm.sh/release-namespace'];
    } else if (labels[LABEL_CLUSTER] === this.ctx.cluster && labels[LABEL_MEMBER]) {
      const m = this.manifests.find((x) => x.manifest.name === labels[LABEL_MEMBER]);
      return m ? { key: `manifest/${m.manifest.name}`, manifest: m } : undefined;
    }
    if (!name || !ns) return undefined;
    const t = this.targets.find((x) => x.addon.name === name && x.addon.namespace === ns);
    return t ? { key: `addon/${addonKey(t)}`, addon: t } : undefined;
  }

  private onEvent(e: CacheEvent): void {
    if (this.stopped || this.holds > 0) return;
    const item = this.itemFor(e);
    if (!item) return;
    // a burst is coalesced into the check already due: it runs debounceMs after the burst's
    // first event, not after its last (a scaled Deployment's status keeps changing for a while)
    if (this.pending.has(item.key)) {
      this.latest.set(item.key, e);
      return;
    }
    this.latest.set(item.key, e);
    this.pending.set(
      item.key,
      setTimeout(() => {
        const last = this.latest.get(item.key) ?? e;
        this.latest.delete(item.key);
        const run = this.check(item, last);
        this.checks.add(run);
        void run.finally(() => this.checks.delete(run));
      }, this.opts.debounceMs ?? 150),
    );
  }

  private async check(item: Item, e: CacheEvent): Promise<void> {
    this.pending.delete(item.key);
    if (this.holds > 0) return;
    if (this.busy.has(item.key)) {
      this.again.set(item.key, e);
      return;
    }
    this.busy.add(item.key);
    try {
      if ('addon' in item) {
        const r = await runSweep(this.ctx, this.live, [item.addon], this.memory, {
          ...this.opts,
          heartbeat: undefined,
        });
        if (r.addons[0]) this.opts.onCheck?.(r.addons[0], e);
      } else {
        const r = await runSweep(this.ctx, this.live, [], this.memory, {
          ...this.opts,
          heartbeat: undefined,
          manifests: [item.manifest],
        });
        if (r.manifests[0]) this.opts.onManifestCheck?.(r.manifests[0], e);
      }
    } finally {
      this.busy.delete(item.key);
      const next = this.again.get(item.key);
      if (next && !this.stopped && this.holds === 0) {
        this.again.delete(item.key);
        await this.check(item, next);
      }
    }
  }
}
