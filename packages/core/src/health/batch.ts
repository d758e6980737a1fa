import { asArray, conditions, field, strField } from './read.ts';
import type { HealthResult, K8sObject } from './types.ts';

/**
 * Job, after gitops-engine: Failed=True → Degraded, Complete=True (or SuccessCriteriaMet) → Healthy,
 * `spec.suspend` or Suspended=True → Suspended, otherwise Progressing.
 */
export function jobHealth(obj: K8sObject): HealthResult {
  let failed: string | undefined;
  let complete: string | undefined;
  let suspended: string | undefined;
  for (const c of conditions(obj)) {
    if (c.status !== 'True') continue;
    const text = c.message || c.reason || c.type;
    if (c.type === 'Failed') failed = text;
    else if (c.type === 'Complete' || c.type === 'SuccessCriteriaMet') complete = text;
    else if (c.type === 'Suspended') suspended = text;
  }
  if (failed !== undefined) return { status: 'Degraded', message: `Job failed: ${failed}` };
  if (complete !== undefined) return { status: 'Healthy', message: `Job completed: ${complete}` };
  if (suspended !== undefined || field(obj, 'spec', 'suspend') === true) {
    return { status: 'Suspended', message: `Job is suspended${suspended ? `: ${suspended}` : ''}` };
  }
  return { status: 'Progressing', message: 'Job is running' };
}

/**
 * CronJob: `spec.suspend` → Suspended. Otherwise Healthy, except when the last scheduled run has
 * finished without success: no active jobs and `lastSuccessfulTime` older than `lastScheduleTime`
 * → Degraded. (Both timestamps must be present; older API servers do not report the second.)
 */
export function cronJobHealth(obj: K8sObject): HealthResult {
  if (field(obj, 'spec', 'suspend') === true) return { status: 'Suspended', message: 'CronJob is suspended' };
  const lastSchedule = strField(obj, 'status', 'lastScheduleTime');
  const lastSuccess = strField(obj, 'status', 'lastSuccessfulTime');
  const active = asArray(field(obj, 'status', 'active')).length;
  if (!lastSchedule) return { status: 'Healthy', message: 'CronJob has not been scheduled yet' };
  if (active > 0)
    return {
      status: 'Healthy',
      message: `CronJob has ${active} active job(s); last scheduled at ${lastSchedule}`,
    };
  if (lastSuccess && Date.parse(lastSuccess) < Date.parse(lastSchedule)) {
    return {
      status: 'Degraded',
      message: `last scheduled run at ${lastSchedule} did not succeed (last success at ${lastSuccess})`,
    };
  }
  return { status: 'Healthy', message: `last scheduled at ${lastSchedule}` };
}
