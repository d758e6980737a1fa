import { condition, field, numField, strField } from './read.ts';
import type { HealthResult, K8sObject } from './types.ts';

/**
 * Deployment, after gitops-engine's `getAppsv1DeploymentHealth` and kstatus:
 * paused → Suspended; controller behind the spec → Progressing; Progressing condition with
 * reason ProgressDeadlineExceeded → Degraded; fewer updated / extra old / unavailable replicas → Progressing.
 */
export function deploymentHealth(obj: K8sObject): HealthResult {
  if (field(obj, 'spec', 'paused') === true) return { status: 'Suspended', message: 'Deployment is paused' };
  const generation = numField(obj, 'metadata', 'generation') ?? 0;
  const observed = numField(obj, 'status', 'observedGeneration');
  if (observed === undefined || observed < generation) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed deployment generation less than desired generation',
    };
  }
  const progressing = condition(obj, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      status: 'Degraded',
      message: `Deployment "${obj.metadata?.name ?? ''}" exceeded its progress deadline`,
    };
  }
  const want = numField(obj, 'spec', 'replicas') ?? 1;
  const replicas = numField(obj, 'status', 'replicas') ?? 0;
  const updated = numField(obj, 'status', 'updatedReplicas') ?? 0;
  const available = numField(obj, 'status', 'availableReplicas') ?? 0;
  if (updated < want) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${updated} out of ${want} new replicas have been updated...`,
    };
  }
  if (replicas > updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    };
  }
  if (available < updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { status: 'Healthy', message: `${available} of ${want} replicas available` };
}

/**
 * StatefulSet, after gitops-engine: spec not observed → Progressing; fewer ready than wanted → Progressing;
 * a RollingUpdate partition only requires the pods above the partition to be updated; OnDelete is healthy
 * once pods are ready; otherwise currentRevision must equal updateRevision.
 */
export function statefulSetHealth(obj: K8sObject): HealthResult {
  const generation = numField(obj, 'metadata', 'generation') ?? 0;
  const observed = numField(obj, 'status', 'observedGeneration');
  if (observed === undefined || observed === 0 || observed < generation) {
    return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
  }
  const want = numField(obj, 'spec', 'replicas') ?? 1;
  const ready = numField(obj, 'status', 'readyReplicas') ?? 0;
  const updated = numField(obj, 'status', 'updatedReplicas') ?? 0;
  if (ready < want) {
    return { status: 'Progressing', message: `Waiting for ${want - ready} pods to be ready...` };
  }
  const strategy = strField(obj, 'spec', 'updateStrategy', 'type') ?? 'RollingUpdate';
  if (strategy === 'OnDelete') {
    return { status: 'Healthy', message: `statefulset has ${ready} ready pods` };
  }
  const partition = numField(obj, 'spec', 'updateStrategy', 'rollingUpdate', 'partition');
  if (partition !== undefined && partition > 0) {
    const expected = Math.max(0, want - partition);
    if (updated < expected) {
      return {
        status: 'Progressing',
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${expected} new pods have been updated...`,
      };
    }
    return {
      status: 'Healthy',
      message: `partitioned roll out complete: ${updated} new pods have been updated...`,
    };
  }
  const current = strField(obj, 'status', 'currentRevision');
  const update = strField(obj, 'status', 'updateRevision');
  if (update !== undefined && current !== update) {
    return {
      status: 'Progressing',
      message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${update}...`,
    };
  }
  return {
    status: 'Healthy',
    message: `statefulset rolling update complete ${ready} pods at revision ${current ?? update ?? ''}...`,
  };
}

/** DaemonSet, after gitops-engine: every scheduled node must run an updated, available pod. */
export function daemonSetHealth(obj: K8sObject): HealthResult {
  const name = obj.metadata?.name ?? '';
  const generation = numField(obj, 'metadata', 'generation') ?? 0;
  const observed = numField(obj, 'status', 'observedGeneration');
  if (observed === undefined || observed < generation) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed daemon set generation less than desired generation',
    };
  }
  const desired = numField(obj, 'status', 'desiredNumberScheduled') ?? 0;
  const updated = numField(obj, 'status', 'updatedNumberScheduled') ?? 0;
  const available = numField(obj, 'status', 'numberAvailable') ?? 0;
  if (strField(obj, 'spec', 'updateStrategy', 'type') === 'OnDelete') {
    return {
      status: 'Healthy',
      message: `daemon set ${updated} out of ${desired} new pods have been updated`,
    };
  }
  if (updated < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
    };
  }
  if (available < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`,
    };
  }
  return { status: 'Healthy', message: `${available} of ${desired} pods available` };
}

/** ReplicaSet, after gitops-engine: ReplicaFailure=True → Degraded; fewer available than wanted → Progressing. */
export function replicaSetHealth(obj: K8sObject): HealthResult {
  const generation = numField(obj, 'metadata', 'generation') ?? 0;
  const observed = numField(obj, 'status', 'observedGeneration');
  if (observed === undefined || observed < generation) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed replica set generation less than desired generation',
    };
  }
  const failure = condition(obj, 'ReplicaFailure');
  if (failure?.status === 'True') {
    return { status: 'Degraded', message: failure.message ?? failure.reason ?? 'ReplicaFailure' };
  }
  const want = numField(obj, 'spec', 'replicas') ?? 1;
  const available = numField(obj, 'status', 'availableReplicas') ?? 0;
  if (available < want) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} out of ${want} new replicas are available...`,
    };
  }
  return { status: 'Healthy', message: `${available} of ${want} replicas available` };
}
