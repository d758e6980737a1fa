import type { KubeObject } from '@mooring/kube';
import { describe, expect, it } from 'vitest';
import { eventsOf, resourceTree } from '../src/addonTree.ts';

const obj = (
  kind: string,
  name: string,
  extra: Record<string, unknown> = {},
  owner?: string,
): KubeObject => ({
  apiVersion: kind === 'Deployment' || kind === 'ReplicaSet' ? 'apps/v1' : 'v1',
  kind,
  metadata: {
    name,
    namespace: 'apps',
    uid: `uid-${name}`,
    ...(owner ? { ownerReferences: [{ uid: `uid-${owner}`, kind: 'x', name: owner }] } : {}),
  },
  ...extra,
});

describe('resourceTree', () => {
  const deployment = obj('Deployment', 'web', {
    spec: { replicas: 1 },
    status: {
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
      readyReplicas: 1,
      observedGeneration: 1,
    },
  });
  const rs = obj('ReplicaSet', 'web-1', {}, 'web');
  const pod = obj(
    'Pod',
    'web-1-x',
    { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
    'web-1',
  );
  const stranger = obj('Pod', 'other', {}, 'someone-else');
  const declared = [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'apps' } },
  ];
  const live = (d: KubeObject) => (d.kind === 'Deployment' ? deployment : undefined);

  it('puts what each object owns below it: Deployment → ReplicaSet → Pod; missing objects say so', () => {
    const tree = resourceTree(declared, live, [rs, pod, stranger]);
    expect(tree).toHaveLength(2);
    expect(tree[0]).toMatchObject({ kind: 'Deployment', name: 'web' });
    expect(tree[0]?.children.map((c) => c.kind)).toEqual(['ReplicaSet']);
    expect(tree[0]?.children[0]?.children.map((c) => c.name)).toEqual(['web-1-x']);
    expect(tree[1]).toMatchObject({ kind: 'Service', health: 'Missing', children: [] });
  });

  it('keeps events about the tree’s objects, newest first', () => {
    const tree = resourceTree(declared, live, [rs, pod]);
    const ev = (name: string, kind: string, at: string, reason: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${reason}`, namespace: 'apps' },
      involvedObject: { kind, namespace: 'apps', name },
      reason,
      message: reason,
      type: 'Normal',
      lastTimestamp: at,
    });
    const events = eventsOf(
      [
        ev('web', 'Deployment', '2026-03-01T12:00:00Z', 'ScalingReplicaSet'),
        ev('web-1-x', 'Pod', '2026-03-01T12:01:00Z', 'Started'),
        ev('unrelated', 'Pod', '2026-03-01T12:02:00Z', 'Started'),
      ],
      tree,
      10,
    );
    expect(events.map((e) => `${e.object} ${e.reason}`)).toEqual([
      'Pod/web-1-x Started',
      'Deployment/web ScalingReplicaSet',
    ]);
  });
});
