import { describe, expect, it } from 'vitest';
import { argoResourceTree } from '../src/addonTree.ts';

describe('argoResourceTree', () => {
  it('nests nodes under their parents and keeps the roots', () => {
    const tree = argoResourceTree([
      {
        kind: 'Service',
        version: 'v1',
        namespace: 'web',
        name: 'web',
        uid: 's1',
        health: { status: 'Healthy' },
      },
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'web',
        name: 'web',
        uid: 'd1',
        health: { status: 'Progressing', message: 'rolling out' },
      },
      {
        group: 'apps',
        version: 'v1',
        kind: 'ReplicaSet',
        namespace: 'web',
        name: 'web-1',
        uid: 'r1',
        parentRefs: [{ kind: 'Deployment', namespace: 'web', name: 'web', uid: 'd1' }],
      },
      {
        version: 'v1',
        kind: 'Pod',
        namespace: 'web',
        name: 'web-1-a',
        uid: 'p1',
        parentRefs: [{ kind: 'ReplicaSet', namespace: 'web', name: 'web-1', uid: 'r1' }],
        health: { status: 'Weird' },
      },
      // a parent outside the tree: the node is a root
      {
        version: 'v1',
        kind: 'Endpoints',
        namespace: 'web',
        name: 'web',
        parentRefs: [{ kind: 'Other', name: 'x', uid: 'zz' }],
      },
    ]);
    expect(tree.map((n) => `${n.kind}/${n.name}`)).toEqual([
      'Service/web',
      'Deployment/web',
      'Endpoints/web',
    ]);
    const dep = tree[1]!;
    expect(dep).toMatchObject({ apiVersion: 'apps/v1', health: 'Progressing', message: 'rolling out' });
    expect(dep.children[0]?.kind).toBe('ReplicaSet');
    expect(dep.children[0]?.children[0]).toMatchObject({ kind: 'Pod', apiVersion: 'v1', health: 'Unknown' });
  });
});
