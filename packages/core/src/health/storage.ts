import { strField } from './read.ts';
import type { HealthResult, K8sObject } from './types.ts';

/** PersistentVolumeClaim: Bound → Healthy, Pending → Progressing, Lost → Degraded. */
export function pvcHealth(obj: K8sObject): HealthResult {
  const phase = strField(obj, 'status', 'phase');
  switch (phase) {
    case 'Bound':
      return { status: 'Healthy', message: 'PersistentVolumeClaim is Bound' };
    case 'Pending':
      return { status: 'Progressing', message: 'PersistentVolumeClaim is Pending' };
    case 'Lost':
      return { status: 'Degraded', message: 'PersistentVolumeClaim is Lost: its volume no longer exists' };
    default:
      return { status: 'Unknown', message: `PersistentVolumeClaim phase is ${phase ?? 'not reported'}` };
  }
}
