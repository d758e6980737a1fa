import { asRecord, condition, conditionText, field, generationLag, strField } from './read.ts';
import type { HealthResult, K8sObject } from './types.ts';

/** Condition types whose `True` means the object is ready (first found wins). */
export const READY_CONDITION_TYPES: readonly string[] = ['Ready', 'Available', 'Healthy'];

const FAILED_PHASES = new Set(['failed', 'error', 'degraded', 'crashloopbackoff']);
const PENDING_PHASES = new Set([
  'pending',
  'progressing',
  'provisioning',
  'creating',
  'updating',
  'installing',
  'deploying',
]);

/**
 * Health of any kind without a dedicated rule (custom resources included), after kstatus'
 * "abnormal-true / normal-true" conventions:
 *
 * 1. `spec.suspend: true` → Suspended (Flux style).
 * 2. no `status` → Healthy (nothing to wait for: ConfigMap, Secret, RBAC...).
 * 3. `status.observedGeneration < metadata.generation` → Progressing.
 * 4. Stalled=True → Degraded; Reconciling=True → Progressing.
 * 5. the first of Ready / Available / Healthy: True → Healthy, False → Degraded, Unknown → Progressing.
 * 6. Progressing=True → Progressing.
 * 7. `status.phase` Failed/Error → Degraded, Pending-like → Progressing.
 * 8. otherwise Healthy.
 */
export function genericHealth(obj: K8sObject): HealthResult {
  if (field(obj, 'spec', 'suspend') === true)
    return { status: 'Suspended', message: `${obj.kind ?? 'Resource'} is suspended` };
  const status = asRecord(obj.status);
  if (!status || Object.keys(status).length === 0)
    return { status: 'Healthy', message: 'no status to wait for' };
  const gen = generationLag(obj);
  if (gen.lag) {
    return {
      status: 'Progressing',
      message: `Waiting for generation ${gen.generation} to be observed (observed ${gen.observed})`,
    };
  }
  const stalled = condition(obj, 'Stalled');
  if (stalled?.status === 'True')
    return { status: 'Degraded', message: `Stalled: ${conditionText(stalled)}` };
  const reconciling = condition(obj, 'Reconciling');
  if (reconciling?.status === 'True') {
    return { status: 'Progressing', message: `Reconciling: ${conditionText(reconciling)}` };
  }
  for (const type of READY_CONDITION_TYPES) {
    const c = condition(obj, type);
    if (!c) continue;
    if (
      c.observedGeneration !== undefined &&
      gen.generation !== undefined &&
      c.observedGeneration < gen.generation
    ) {
      return { status: 'Progressing', message: `${type} condition is for an older generation` };
    }
    if (c.status === 'True') return { status: 'Healthy', message: conditionText(c) || `${type} is True` };
    if (c.status === 'False') return { status: 'Degraded', message: `${type} is False: ${conditionText(c)}` };
    return { status: 'Progressing', message: `${type} is Unknown: ${conditionText(c)}` };
  }
  const progressing = condition(obj, 'Progressing');
  if (progressing?.status === 'True') {
    return { status: 'Progressing', message: `Progressing: ${conditionText(progressing)}` };
  }
  const phase = strField(obj, 'status', 'phase');
  if (phase) {
    const p = phase.toLowerCase();
    if (FAILED_PHASES.has(p)) return { status: 'Degraded', message: `phase is ${phase}` };
    if (PENDING_PHASES.has(p)) return { status: 'Progressing', message: `phase is ${phase}` };
  }
  return { status: 'Healthy', message: phase ? `phase is ${phase}` : 'no failing conditions' };
}
