import { apiServiceHealth, crdHealth, namespaceHealth } from './apiserver.ts';
import { hpaHealth, pdbHealth } from './autoscaling.ts';
import { cronJobHealth, jobHealth } from './batch.ts';
import { genericHealth } from './generic.ts';
import { ingressHealth, serviceHealth } from './network.ts';
import { podHealth } from './pod.ts';
import { pvcHealth } from './storage.ts';
import type { HealthResult, HealthRule, K8sObject } from './types.ts';
import { daemonSetHealth, deploymentHealth, replicaSetHealth, statefulSetHealth } from './workloads.ts';

/** API group of an apiVersion: "apps/v1" → "apps", "v1" → "" (core). */
export function apiGroup(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Rules keyed by "group/Kind" (core group is ""). */
export const HEALTH_RULES: Readonly<Record<string, HealthRule>> = {
  'apps/Deployment': deploymentHealth,
  'apps/StatefulSet': statefulSetHealth,
  'apps/DaemonSet': daemonSetHealth,
  'apps/ReplicaSet': replicaSetHealth,
  '/Pod': podHealth,
  'batch/Job': jobHealth,
  'batch/CronJob': cronJobHealth,
  '/PersistentVolumeClaim': pvcHealth,
  '/Service': serviceHealth,
  'networking.k8s.io/Ingress': ingressHealth,
  'extensions/Ingress': ingressHealth,
  'autoscaling/HorizontalPodAutoscaler': hpaHealth,
  'policy/PodDisruptionBudget': pdbHealth,
  'apiextensions.k8s.io/CustomResourceDefinition': crdHealth,
  'apiregistration.k8s.io/APIService': apiServiceHealth,
  '/Namespace': namespaceHealth,
};

/** Whether a kind has a dedicated rule (the migration preview flags kinds that fall back to the generic rule). */
export function hasHealthRule(apiVersion: string | undefined, kind: string | undefined): boolean {
  return HEALTH_RULES[`${apiGroup(apiVersion)}/${kind ?? ''}`] !== undefined;
}

/**
 * Health of one object, computed from the object alone (nothing is fetched).
 * `null`/`undefined` → Missing; an object being deleted → Progressing; otherwise the kind's rule,
 * or the generic conditions rule for kinds without one.
 */
export function resourceHealth(obj: K8sObject | null | undefined): HealthResult {
  if (obj === null || obj === undefined) return { status: 'Missing', message: 'resource does not exist' };
  if (obj.metadata?.deletionTimestamp && obj.kind !== 'CustomResourceDefinition') {
    return { status: 'Progressing', message: `Pending deletion since ${obj.metadata.deletionTimestamp}` };
  }
  const rule = HEALTH_RULES[`${apiGroup(obj.apiVersion)}/${obj.kind ?? ''}`] ?? genericHealth;
  return rule(obj);
}
