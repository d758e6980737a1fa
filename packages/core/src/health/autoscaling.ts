import { condition, conditions, conditionText, generationLag, numField } from './read.ts';
import type { HealthResult, K8sObject } from './types.ts';

const HPA_FAILURE_REASONS = new Set([
  'FailedGetScale',
  'FailedUpdateScale',
  'FailedGetResourceMetric',
  'FailedGetPodsMetric',
  'FailedGetObjectMetric',
  'FailedGetExternalMetric',
  'FailedGetContainerResourceMetric',
  'FailedComputeMetricsReplicas',
  'InvalidSelector',
  'InvalidMetricSourceType',
]);

/**
 * HorizontalPodAutoscaler (autoscaling/v2 conditions): a failing AbleToScale/ScalingActive reason →
 * Degraded; ScalingActive=False/ScalingDisabled (target scaled to zero) → Suspended; AbleToScale=True and
 * ScalingActive=True → Healthy; otherwise Progressing ("Waiting to Autoscale").
 */
export function hpaHealth(obj: K8sObject): HealthResult {
  for (const c of conditions(obj)) {
    if (c.status === 'False' && c.reason && HPA_FAILURE_REASONS.has(c.reason)) {
      return { status: 'Degraded', message: `${c.type}: ${conditionText(c)}` };
    }
  }
  const active = condition(obj, 'ScalingActive');
  if (active?.status === 'False' && active.reason === 'ScalingDisabled') {
    return { status: 'Suspended', message: `ScalingActive: ${conditionText(active)}` };
  }
  const able = condition(obj, 'AbleToScale');
  if (able?.status === 'True' && active?.status === 'True') {
    return { status: 'Healthy', message: conditionText(active) || 'HPA is able to scale' };
  }
  return { status: 'Progressing', message: 'Waiting to Autoscale' };
}

/** PodDisruptionBudget: Healthy when `currentHealthy >= desiredHealthy`, else Degraded. */
export function pdbHealth(obj: K8sObject): HealthResult {
  if (generationLag(obj).lag)
    return { status: 'Progressing', message: 'Waiting for PDB status to be observed' };
  const current = numField(obj, 'status', 'currentHealthy');
  const desired = numField(obj, 'status', 'desiredHealthy');
  if (current === undefined || desired === undefined) {
    return { status: 'Progressing', message: 'Waiting for PDB status' };
  }
  if (current >= desired) {
    return {
      status: 'Healthy',
      message: `PDB has sufficient healthy pods (${current} of ${desired} required)`,
    };
  }
  return {
    status: 'Degraded',
    message: `PDB has insufficient healthy pods: ${current} of ${desired} required`,
  };
}
