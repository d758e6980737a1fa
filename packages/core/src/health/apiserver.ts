import { condition, conditionText, strField } from './read.ts';
import type { HealthResult, K8sObject } from './types.ts';

/**
 * CustomResourceDefinition: terminating → Progressing; NamesAccepted=False or NonStructuralSchema=True
 * → Degraded; Established=True → Healthy; otherwise Progressing.
 */
export function crdHealth(obj: K8sObject): HealthResult {
  const terminating = condition(obj, 'Terminating');
  if (obj.metadata?.deletionTimestamp || terminating?.status === 'True') {
    return {
      status: 'Progressing',
      message: `CRD is terminating${terminating ? `: ${conditionText(terminating)}` : ''}`,
    };
  }
  const names = condition(obj, 'NamesAccepted');
  if (names?.status === 'False')
    return { status: 'Degraded', message: `NamesAccepted is False: ${conditionText(names)}` };
  const nonStructural = condition(obj, 'NonStructuralSchema');
  if (nonStructural?.status === 'True') {
    return { status: 'Degraded', message: `NonStructuralSchema: ${conditionText(nonStructural)}` };
  }
  const established = condition(obj, 'Established');
  if (established?.status === 'True') return { status: 'Healthy', message: 'CRD is Established' };
  return { status: 'Progressing', message: 'Waiting for CRD to be Established' };
}

/** APIService: Available=True → Healthy, Available=False → Degraded (e.g. FailedDiscoveryCheck), else Progressing. */
export function apiServiceHealth(obj: K8sObject): HealthResult {
  const available = condition(obj, 'Available');
  if (available?.status === 'True')
    return { status: 'Healthy', message: conditionText(available) || 'Available' };
  if (available?.status === 'False') {
    return { status: 'Degraded', message: `APIService not available: ${conditionText(available)}` };
  }
  return { status: 'Progressing', message: 'Waiting for APIService to become Available' };
}

/** Namespace: Active → Healthy, Terminating → Progressing; no status yet → Healthy. */
export function namespaceHealth(obj: K8sObject): HealthResult {
  const phase = strField(obj, 'status', 'phase');
  if (phase === undefined || phase === 'Active') return { status: 'Healthy', message: 'Namespace is Active' };
  if (phase === 'Terminating') return { status: 'Progressing', message: 'Namespace is Terminating' };
  return { status: 'Unknown', message: `Namespace phase is ${phase}` };
}
