import { asArray, field, strField } from './read.ts';
import type { HealthResult, K8sObject } from './types.ts';

/** Service: a LoadBalancer waits for an ingress IP or hostname; every other type is Healthy. */
export function serviceHealth(obj: K8sObject): HealthResult {
  if (strField(obj, 'spec', 'type') !== 'LoadBalancer')
    return { status: 'Healthy', message: 'Service is ready' };
  const ingress = asArray(field(obj, 'status', 'loadBalancer', 'ingress'));
  if (ingress.length === 0)
    return { status: 'Progressing', message: 'Waiting for load balancer ingress IP or hostname' };
  return { status: 'Healthy', message: `Load balancer ready: ${addresses(ingress)}` };
}

/** Ingress, as gitops-engine: Healthy once `status.loadBalancer.ingress` is set, else Progressing. */
export function ingressHealth(obj: K8sObject): HealthResult {
  const ingress = asArray(field(obj, 'status', 'loadBalancer', 'ingress'));
  if (ingress.length === 0)
    return { status: 'Progressing', message: 'Waiting for ingress load balancer address' };
  return { status: 'Healthy', message: `Ingress address: ${addresses(ingress)}` };
}

function addresses(ingress: unknown[]): string {
  return ingress.map((i) => strField(i, 'ip') ?? strField(i, 'hostname') ?? '?').join(', ');
}
