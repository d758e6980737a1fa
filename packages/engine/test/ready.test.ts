import type { KubeObject } from '@mooring/kube';
import { describe, expect, it } from 'vitest';
import { readyToProceed } from '../src/health.ts';

const deployment = (available: boolean): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'a', generation: 1 },
    spec: { replicas: 1 },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: available ? 1 : 0,
      availableReplicas: available ? 1 : 0,
      conditions: [{ type: 'Available', status: available ? 'True' : 'False' }],
    },
  }) as KubeObject;

const lbService: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'lb', namespace: 'a' },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: {} },
} as KubeObject;

const cases: { name: string; objects: KubeObject[]; strict: boolean; ready: boolean }[] = [
  { name: 'an available Deployment', objects: [deployment(true)], strict: false, ready: true },
  {
    name: 'a Deployment still rolling out is waited for',
    objects: [deployment(false)],
    strict: false,
    ready: false,
  },
  {
    name: 'a LoadBalancer Service without an address is not waited for',
    objects: [deployment(true), lbService],
    strict: false,
    ready: true,
  },
  {
    name: 'strict waits for the LoadBalancer address too',
    objects: [deployment(true), lbService],
    strict: true,
    ready: false,
  },
];

describe('readyToProceed', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(readyToProceed(c.objects, c.objects as never, c.strict)).toBe(c.ready);
    });
  }
  it('a missing object is not ready', () => {
    expect(readyToProceed([deployment(true)], [null], false)).toBe(false);
  });
});
