import { describe, expect, it } from 'vitest';
import {
  aggregateHealth,
  type HealthStatus,
  isHealthyEnough,
  type K8sObject,
  worst,
} from '../../src/health/index.ts';

const cm: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } };
const progressingDeploy: K8sObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', generation: 2 },
  status: { observedGeneration: 1 },
};
const failedJob: K8sObject = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', namespace: 'ns' },
  status: { conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }] },
};
const suspendedCron: K8sObject = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'backup', namespace: 'ns' },
  spec: { suspend: true },
};

describe('worst', () => {
  const cases: [string, HealthStatus[], HealthStatus][] = [
    ['none is Healthy', [], 'Healthy'],
    ['Progressing beats Suspended', ['Suspended', 'Progressing', 'Healthy'], 'Progressing'],
    ['Degraded beats Missing', ['Missing', 'Degraded'], 'Degraded'],
    ['Unknown is worst', ['Degraded', 'Unknown'], 'Unknown'],
  ];
  it.each(cases)('%s', (_name, input, expected) => expect(worst(...input)).toBe(expected));
});

describe('isHealthyEnough', () => {
  const cases: [HealthStatus, boolean, boolean][] = [
    ['Healthy', true, true],
    ['Progressing', true, false],
    ['Progressing', false, true],
    ['Suspended', false, true],
    ['Suspended', true, false],
    ['Degraded', false, false],
    ['Missing', false, false],
    ['Unknown', false, false],
  ];
  it.each(cases)('%s strict=%s → %s', (status, strict, expected) =>
    expect(isHealthyEnough(status, strict)).toBe(expected),
  );
});

describe('aggregateHealth', () => {
  it('lenient: a Progressing Deployment still counts as success', () => {
    const a = aggregateHealth([cm, progressingDeploy]);
    expect(a.status).toBe('Progressing');
    expect(a.healthy).toBe(true);
    expect(a.counts.Progressing).toBe(1);
  });

  it('strict: Progressing is not success, and the message names the object', () => {
    const a = aggregateHealth([cm, progressingDeploy], { strict: true });
    expect(a.healthy).toBe(false);
    expect(a.unhealthy).toEqual([
      { ref: 'Deployment/ns/web', status: 'Progressing', message: expect.any(String) },
    ]);
    expect(a.message).toContain('1 of 2 resources not healthy: Deployment/ns/web Progressing');
  });

  it('orders unhealthy objects worst first and names missing ones', () => {
    const a = aggregateHealth([progressingDeploy, null, failedJob, suspendedCron], {
      strict: true,
      missingRefs: ['Service/ns/web'],
    });
    expect(a.status).toBe('Degraded');
    expect(a.unhealthy.map((u) => [u.ref, u.status])).toEqual([
      ['Job/ns/migrate', 'Degraded'],
      ['Service/ns/web', 'Missing'],
      ['Deployment/ns/web', 'Progressing'],
      ['CronJob/ns/backup', 'Suspended'],
    ]);
  });

  it('an empty set is healthy', () => {
    expect(aggregateHealth([], { strict: true })).toMatchObject({ status: 'Healthy', healthy: true });
  });
});
