import { checkArgoAddon } from '../argocd/check.ts';
import type { EngineContext } from '../context.ts';
import { engineOf } from '../engines.ts';
import { checkAddon, unknownReport } from './checkAddon.ts';
import { checkManifest } from './checkManifest.ts';
import type { LiveState } from './liveState.ts';
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

export const addonKey = (t: { addon: { namespace: string; name: string } }) =>
  `${t.addon.namespace}/${t.addon.name}`;

/**
 * One reconcile sweep over a cluster's add-ons: for each, recover a stuck
 * release, detect drift from the watch caches, self-heal, prune, re-evaluate
 * health and state; then publish the heartbeat. Add-ons are checked
 * concurrently up to `concurrency`; one add-on's failure is reported, not thrown.
 */
export async function runSweep(
  ctx: EngineContext,
  live: LiveState,
  targets: SweepTarget[],
  memory: Map<string, AddonMemory>,
  opts: SweepOptions & {
    heartbeat?: HeartbeatPublisher;
    concurrency?: number;
    manifests?: ManifestSweepTarget[];
  } = {},
): Promise<SweepReport> {
  const started = Date.now();
  const requestsBefore = live.objects.requests + live.releases.requests;
  const helmBefore = ctx.helm.runner.calls;
  const counter = { requests: 0 };
  const addons: AddonReport[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i]!;
      const key = addonKey(t);
      const mem = memory.get(key) ?? {};
      memory.set(key, mem);
      try {
        addons[i] =
          engineOf(ctx.engines, t.addon) === 'argocd'
            ? await checkArgoAddon(ctx, t)
            : await checkAddon(ctx, live, t, mem, opts, counter);
      } catch (e) {
        addons[i] = unknownReport(t, `sweep failed: ${(e as Error).message}`);
      }
    }
  };
  const manifests: ManifestReport[] = [];
  for (const mt of opts.manifests ?? []) {
    try {
      manifests.push(await checkManifest(ctx, live, mt));
    } catch (e) {
      manifests.push({
        name: mt.manifest.name,
        stack: mt.manifest.stack,
        drift: [],
        actions: [],
        state: 'Unknown',
        message: `sweep failed: ${(e as Error).message}`,
      });
    }
  }
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, targets.length)) }, worker),
  );
  const finished = Date.now();
  const heartbeat = {
    cluster_id: ctx.cluster,
    last_sweep_at: new Date(finished).toISOString(),
    sweep_duration_seconds: (finished - started) / 1000,
    addons_inspected: targets.length,
  };
  await opts.heartbeat?.publish(heartbeat);
  return {
    heartbeat,
    addons,
    manifests,
    apiRequests: live.objects.requests + live.releases.requests - requestsBefore + counter.requests,
    helmCalls: ctx.helm.runner.calls - helmBefore,
  };
}
