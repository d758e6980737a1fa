import {
  type AddonReport,
  type EngineContext,
  type ManifestReport,
  type ManifestSweepTarget,
  Reconciler,
  type SweepReport,
  type SweepTarget,
} from '@mooring/engine';
import type { Io } from '../io.ts';
import { UsageError } from '../io.ts';

/** `60s`, `5m`, `1h` → milliseconds. */
export function parseInterval(v: string | undefined): number {
  if (!v) return 60_000;
  const m = /^(\d+)(ms|s|m|h)$/.exec(v.trim());
  if (!m) throw new UsageError(`--interval must look like 30s, 5m or 1h, got ${JSON.stringify(v)}`);
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

function addonLine(a: AddonReport): string {
  const drift = a.drift.length
    ? ` drift: ${a.drift.map((d) => (d.missing ? `${d.ref} (missing)` : d.ref)).join(', ')}`
    : '';
  const acts = a.actions.filter((x) => x !== 'none');
  return `${a.state.padEnd(9)} ${a.stack}/addon/${a.name}${acts.length ? ` [${acts.join(', ')}]` : ''}${drift}${a.message && acts.length ? ` — ${a.message}` : ''}`;
}

function manifestLine(m: ManifestReport): string {
  const acts = m.actions.filter((x) => x !== 'none');
  return `${m.state.padEnd(9)} ${m.stack}/manifest/${m.name} [${acts.join(', ')}] drift: ${m.drift.map((d) => (d.missing ? `${d.ref} (missing)` : d.ref)).join(', ')} — ${m.message}`;
}

/** Keeps reconciling and prints drift and heals as they happen; resolves with 0 on Ctrl-C. */
export async function watchLoop(
  ctx: EngineContext,
  targets: SweepTarget[],
  manifests: ManifestSweepTarget[],
  opts: { intervalMs: number; signal?: AbortSignal },
  io: Io,
  json: boolean,
): Promise<number> {
  const ts = () => new Date().toISOString().slice(11, 19);
  const onSweep = (r: SweepReport) => {
    if (json) {
      io.stdout(`${JSON.stringify({ type: 'sweep', ...r })}\n`);
      return;
    }
    const drifted = r.addons.filter((a) => a.drift.length > 0 || a.actions.some((x) => x !== 'none'));
    io.stderr(
      `${ts()} sweep: ${r.heartbeat.addons_inspected} add-ons in ${r.heartbeat.sweep_duration_seconds.toFixed(2)}s, ${drifted.length} with drift or actions, ${r.apiRequests} API requests\n`,
    );
    for (const a of drifted) io.stderr(`  ${addonLine(a)}\n`);
    for (const m of r.manifests.filter((x) => x.drift.length > 0)) io.stderr(`  ${manifestLine(m)}\n`);
  };
  const onManifestCheck = (m: ManifestReport) => {
    if (json) io.stdout(`${JSON.stringify({ type: 'check', manifest: m })}\n`);
    else if (m.drift.length > 0) io.stderr(`${ts()} ${manifestLine(m)}\n`);
  };
  const onCheck = (a: AddonReport) => {
    if (json) io.stdout(`${JSON.stringify({ type: 'check', addon: a })}\n`);
    else if (a.drift.length > 0 || a.actions.some((x) => x !== 'none'))
      io.stderr(`${ts()} ${addonLine(a)}\n`);
  };
  const rec = new Reconciler(ctx, { intervalMs: opts.intervalMs, onSweep, onCheck, onManifestCheck });
  rec.setTargets(targets, manifests);
  if (opts.signal?.aborted) return 0;
  let stopped = false;
  let resolveStopped!: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    opts.signal?.removeEventListener('abort', stop);
    // the watches, timers and pending checks end here, so the process can exit
    rec.stop();
    resolveStopped(0);
  };
  // listen before starting: Ctrl-C or SIGTERM during the first sweep ends the command cleanly too
  if (opts.signal) opts.signal.addEventListener('abort', stop, { once: true });
  else {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  try {
    await rec.start();
  } catch (e) {
    stop();
    throw e;
  }
  if (!json && !stopped) io.stderr('watching: drift is healed as it happens (Ctrl-C to stop)\n');
  return done;
}
