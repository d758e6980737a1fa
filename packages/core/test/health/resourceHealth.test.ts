import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type HealthStatus, type K8sObject, resourceHealth } from '../../src/health/index.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function load(file: string): K8sObject {
  return parse(readFileSync(join(FIXTURES, file), 'utf8')) as K8sObject;
}

/** fixture file → expected status and a substring of the message. */
const CASES: Record<string, [HealthStatus, string]> = {
  'deployment-available.yaml': ['Healthy', '3 of 3 replicas available'],
  'deployment-progressing.yaml': ['Progressing', '1 out of 3 new replicas have been updated'],
  'deployment-old-replicas-terminating.yaml': ['Progressing', '1 old replicas are pending termination'],
  'deployment-updated-unavailable.yaml': ['Progressing', '1 of 3 updated replicas are available'],
  'deployment-generation-lag.yaml': ['Progressing', 'observed deployment generation less than desired'],
  'deployment-degraded-deadline.yaml': ['Degraded', 'exceeded its progress deadline'],
  'deployment-paused.yaml': ['Suspended', 'Deployment is paused'],
  'deployment-scaled-to-zero.yaml': ['Healthy', '0 of 0'],
  'statefulset-ready.yaml': ['Healthy', 'rolling update complete 3 pods at revision db-6c8f'],
  'statefulset-not-ready.yaml': ['Progressing', 'Waiting for 2 pods to be ready'],
  'statefulset-not-observed.yaml': ['Progressing', 'spec update to be observed'],
  'statefulset-rolling-update.yaml': ['Progressing', 'rolling update to complete 1 pods at revision db-77aa'],
  'statefulset-partition.yaml': ['Healthy', 'partitioned roll out complete'],
  'statefulset-partition-progressing.yaml': ['Progressing', '1 out of 3 new pods have been updated'],
  'statefulset-ondelete.yaml': ['Healthy', 'statefulset has 3 ready pods'],
  'daemonset-ready.yaml': ['Healthy', '4 of 4 pods available'],
  'daemonset-updating.yaml': ['Progressing', '2 out of 4 new pods have been updated'],
  'daemonset-unavailable.yaml': ['Progressing', '3 of 4 updated pods are available'],
  'daemonset-ondelete.yaml': ['Healthy', '1 out of 4 new pods'],
  'replicaset-available.yaml': ['Healthy', '2 of 2'],
  'replicaset-progressing.yaml': ['Progressing', '1 out of 2 new replicas are available'],
  'replicaset-failure.yaml': ['Degraded', 'exceeded quota'],
  'pod-running-ready.yaml': ['Healthy', 'running and ready'],
  'pod-crashloop.yaml': ['Degraded', 'CrashLoopBackOff'],
  'pod-imagepullbackoff.yaml': ['Degraded', 'ImagePullBackOff'],
  'pod-errimagepull.yaml': ['Degraded', 'ErrImagePull'],
  'pod-create-config-error.yaml': ['Degraded', 'secret "db-password" not found'],
  'pod-init-crashloop.yaml': ['Degraded', 'container "migrate": CrashLoopBackOff'],
  'pod-pending-unschedulable.yaml': ['Progressing', 'Insufficient memory'],
  'pod-container-creating.yaml': ['Progressing', 'ContainerCreating'],
  'pod-succeeded.yaml': ['Healthy', 'completed successfully'],
  'pod-failed-exit-code.yaml': ['Degraded', 'failed with exit code 2'],
  'pod-failed-oomkilled.yaml': ['Degraded', 'OOMKilled'],
  'pod-evicted.yaml': ['Degraded', 'low on resource: memory'],
  'pod-running-not-ready.yaml': ['Progressing', 'running but not ready'],
  'pod-running-restarted-not-ready.yaml': ['Degraded', 'terminated and restarted'],
  'pod-hook-never-running.yaml': ['Progressing', 'running to completion'],
  'pod-hook-never-imagepull.yaml': ['Progressing', 'ImagePullBackOff'],
  'pod-unknown-phase.yaml': ['Unknown', 'node is unreachable'],
  'pod-terminating.yaml': ['Progressing', 'Pending deletion'],
  'job-complete.yaml': ['Healthy', 'Reached expected number of succeeded pods'],
  'job-failed.yaml': ['Degraded', 'backoff limit'],
  'job-running.yaml': ['Progressing', 'Job is running'],
  'job-suspended.yaml': ['Suspended', 'Job is suspended'],
  'cronjob-active.yaml': ['Healthy', '1 active job'],
  'cronjob-last-run-succeeded.yaml': ['Healthy', 'last scheduled at 2026-01-02T03:00:00Z'],
  'cronjob-last-run-failed.yaml': ['Degraded', 'did not succeed'],
  'cronjob-suspended.yaml': ['Suspended', 'CronJob is suspended'],
  'cronjob-never-scheduled.yaml': ['Healthy', 'not been scheduled yet'],
  'pvc-bound.yaml': ['Healthy', 'Bound'],
  'pvc-pending.yaml': ['Progressing', 'Pending'],
  'pvc-lost.yaml': ['Degraded', 'Lost'],
  'service-clusterip.yaml': ['Healthy', 'Service is ready'],
  'service-loadbalancer-pending.yaml': ['Progressing', 'Waiting for load balancer'],
  'service-loadbalancer-ready.yaml': ['Healthy', '203.0.113.10'],
  'ingress-ready.yaml': ['Healthy', 'lb-123.elb.example.com'],
  'ingress-pending.yaml': ['Progressing', 'Waiting for ingress'],
  'hpa-healthy.yaml': ['Healthy', 'ValidMetricFound'],
  'hpa-failed-metrics.yaml': ['Degraded', 'FailedGetResourceMetric'],
  'hpa-waiting.yaml': ['Progressing', 'Waiting to Autoscale'],
  'hpa-scaling-disabled.yaml': ['Suspended', 'ScalingDisabled'],
  'pdb-healthy.yaml': ['Healthy', 'sufficient healthy pods'],
  'pdb-insufficient.yaml': ['Degraded', '1 of 2 required'],
  'crd-established.yaml': ['Healthy', 'Established'],
  'crd-names-conflict.yaml': ['Degraded', 'PluralConflict'],
  'crd-not-established.yaml': ['Progressing', 'Waiting for CRD'],
  'crd-terminating.yaml': ['Progressing', 'terminating'],
  'apiservice-available.yaml': ['Healthy', 'all checks passed'],
  'apiservice-unavailable.yaml': ['Degraded', 'FailedDiscoveryCheck'],
  'namespace-active.yaml': ['Healthy', 'Active'],
  'namespace-terminating.yaml': ['Progressing', 'Terminating'],
  'configmap-no-status.yaml': ['Healthy', 'no status'],
  'certificate-ready.yaml': ['Healthy', 'up to date'],
  'certificate-not-ready.yaml': ['Degraded', 'Ready is False'],
  'helmrelease-reconciling.yaml': ['Progressing', 'Reconciling'],
  'kustomization-suspended.yaml': ['Suspended', 'suspended'],
  'custom-generation-lag.yaml': ['Progressing', 'generation 7'],
  'custom-stalled.yaml': ['Degraded', 'Stalled'],
  'custom-available-false.yaml': ['Degraded', 'backend unreachable'],
  'custom-progressing.yaml': ['Progressing', 'creating backend'],
  'custom-phase-failed.yaml': ['Degraded', 'phase is Failed'],
  'custom-phase-running.yaml': ['Healthy', 'phase is Running'],
};

describe('resourceHealth over fixtures', () => {
  it('has one table row for every fixture file, and at least 45 fixtures', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(files).toEqual(Object.keys(CASES).sort());
    expect(files.length).toBeGreaterThanOrEqual(45);
  });

  it.each(Object.entries(CASES))('%s', (file, [status, message]) => {
    const h = resourceHealth(load(file));
    expect(h.status).toBe(status);
    expect(h.message).toContain(message);
  });
});

describe('resourceHealth edge cases', () => {
  it('a missing object is Missing', () => {
    expect(resourceHealth(null).status).toBe('Missing');
    expect(resourceHealth(undefined).status).toBe('Missing');
  });

  it('a Deployment without spec.replicas defaults to one replica', () => {
    const h = resourceHealth({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', generation: 1 },
      status: { observedGeneration: 1, replicas: 0, updatedReplicas: 0, availableReplicas: 0 },
    });
    expect(h).toEqual({ status: 'Progressing', message: expect.stringContaining('0 out of 1') });
  });

  it('a Deployment whose status was never written is Progressing', () => {
    expect(
      resourceHealth({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', generation: 1 } })
        .status,
    ).toBe('Progressing');
  });

  it('kinds are matched by API group: a custom "Deployment" kind in another group uses the generic rule', () => {
    const h = resourceHealth({ apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'x' } });
    expect(h).toEqual({ status: 'Healthy', message: 'no status to wait for' });
  });

  it('a generic Ready condition written for an older generation is Progressing', () => {
    const h = resourceHealth({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'x', generation: 3 },
      status: { conditions: [{ type: 'Ready', status: 'True', observedGeneration: 2 }] },
    });
    expect(h.status).toBe('Progressing');
  });
});
