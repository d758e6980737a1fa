import { diffObject, type K8sObject } from '@mooring/core';
import { objectRef } from '@mooring/kube';
import type { EngineContext } from '../context.ts';
import { applyManifest, desiredObjects } from '../manifest.ts';
import type { LiveState } from './liveState.ts';
import type { ManifestReport, ManifestSweepTarget, ObjectDrift } from './types.ts';

/**
 * One manifest member in one sweep: its objects compared with the cached live
 * ones; with `auto_remediate` a drift is re-applied at once (server-side apply,
 * Mooring's field manager forcing its fields back), otherwise it is reported.
 */
export async function checkManifest(
  ctx: EngineContext,
  live: LiveState,
  t: ManifestSweepTarget,
): Promise<ManifestReport> {
  const m = t.manifest;
  const desired = await desiredObjects(ctx, m);
  await live.ensureKinds(desired);
  const drift: ObjectDrift[] = [];
  for (const o of desired) {
    const d = diffObject(o as unknown as K8sObject, live.live(o) as unknown as K8sObject | undefined);
    if (d.drifted) drift.push({ ref: objectRef(o), missing: d.missing, text: d.text, patch: d.patch });
  }
  const report: ManifestReport = {
    name: m.name,
    stack: m.stack,
    drift,
    actions: [],
    state: 'Synced',
    message: 'in sync',
  };
  if (drift.length === 0) {
    report.actions.push('none');
    return report;
  }
  if (!m.autoRemediate) {
    report.actions.push('reported');
    report.state = 'OutOfSync';
    report.message = `${drift.length} objects drifted; auto_remediate is off`;
    return report;
  }
  try {
    await applyManifest(ctx, m, t.hash, { force: true });
    report.actions.push('healed');
    report.message = `re-applied ${drift.length} drifted objects`;
  } catch (e) {
    report.actions.push('heal_failed');
    report.state = 'Degraded';
    report.message = `re-apply failed: ${(e as Error).message}`;
  }
  return report;
}
