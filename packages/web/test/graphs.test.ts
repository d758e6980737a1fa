import { describe, expect, it } from 'vitest';
import { toYaml } from '../src/addons/yaml.ts';
import type { ResourceNode, StacksAnswer } from '../src/api/types.ts';
import {
  flattenTree,
  healthClass,
  healthCounts,
  resourceElkGraph,
  resourceGraph,
  resourceRef,
} from '../src/graph/resourceGraph.ts';
import {
  LANE_LABEL_WIDTH,
  MEMBER_HEIGHT,
  MEMBER_WIDTH,
  placeLanes,
  stackElkGraph,
  stackLayoutOf,
  waveLabel,
} from '../src/graph/stacksGraph.ts';

const member = (id: string, parents: string[] = [], layer = 0) => {
  const [kind, name] = id.split('/') as ['addon' | 'manifest', string];
  return {
    id,
    kind,
    name,
    namespace: 'apps',
    chart: kind === 'addon' ? 'podinfo' : null,
    version: kind === 'addon' ? '6.7.1' : null,
    parents,
    layer,
    state: 'Pending',
    health: 'Unknown',
    message: '',
  };
};

const view: StacksAnswer = {
  member_count: 4,
  waves: [
    {
      wave: null,
      stacks: [{ name: 'tools', deploy_wave: null, applications: [], members: [member('addon/debug')] }],
    },
    {
      wave: 1,
      stacks: [
        {
          name: 'base',
          deploy_wave: 1,
          applications: [],
          members: [member('manifest/ns'), member('addon/db', ['manifest/ns'], 1)],
        },
      ],
    },
    {
      wave: 2,
      stacks: [
        {
          name: 'apps',
          deploy_wave: 2,
          applications: ['shop'],
          members: [member('addon/web', ['addon/db', 'application/shop'])],
        },
      ],
    },
  ],
};

describe('the stacks graph', () => {
  it('names waves by what they wait for', () => {
    expect(waveLabel(null)).toEqual({ label: 'No wave', detail: 'starts at once' });
    expect(waveLabel(1, null)).toEqual({ label: 'Wave 1', detail: 'starts first' });
    expect(waveLabel(5, 2)).toEqual({ label: 'Wave 5', detail: 'after wave 2' });
  });

  it('gives ELK a stack’s members and only the parent edges inside it', () => {
    const g = stackElkGraph(view.waves[1]!.stacks[0]!);
    expect(g.children?.map((c) => [c.id, c.width, c.height])).toEqual([
      ['manifest/ns', MEMBER_WIDTH, MEMBER_HEIGHT],
      ['addon/db', MEMBER_WIDTH, MEMBER_HEIGHT],
    ]);
    expect(g.edges).toEqual([
      { id: 'manifest/ns->addon/db', sources: ['manifest/ns'], targets: ['addon/db'] },
    ]);
    expect(stackElkGraph(view.waves[2]!.stacks[0]!).edges).toEqual([]);
  });

  it('puts one lane per wave in deploy order, stacks inside lanes, members inside stacks; edges for every member parent', () => {
    const layouts = new Map([
      [
        'tools',
        stackLayoutOf({ id: 's', width: 260, height: 120, children: [{ id: 'addon/debug', x: 16, y: 40 }] }),
      ],
      [
        'base',
        stackLayoutOf({
          id: 's',
          width: 520,
          height: 130,
          children: [
            { id: 'manifest/ns', x: 16, y: 40 },
            { id: 'addon/db', x: 284, y: 40 },
          ],
        }),
      ],
    ]);
    const { nodes, edges } = placeLanes(view, layouts);
    const lanes = nodes.filter((n) => n.type === 'lane');
    expect(lanes.map((l) => (l.data as { label: string; detail: string }).detail)).toEqual([
      'starts at once',
      'starts first',
      'after wave 1',
    ]);
    // lanes stacked top to bottom without overlap, all as wide as the widest
    for (let i = 1; i < lanes.length; i++)
      expect(lanes[i]!.position.y).toBeGreaterThanOrEqual(lanes[i - 1]!.position.y + lanes[i - 1]!.height);
    expect(new Set(lanes.map((l) => l.width)).size).toBe(1);
    const base = nodes.find((n) => n.id === 'stack:base')!;
    expect(base).toMatchObject({
      parentId: 'lane:1',
      position: { x: LANE_LABEL_WIDTH },
      width: 520,
      height: 130,
    });
    expect(nodes.find((n) => n.id === 'addon/db')).toMatchObject({
      parentId: 'stack:base',
      position: { x: 284, y: 40 },
    });
    // a stack the layout did not cover still gets a place
    expect(nodes.find((n) => n.id === 'stack:apps')?.width).toBeGreaterThan(0);
    // parents before children in the list (React Flow needs it)
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    for (const n of nodes) if (n.parentId) expect(index.get(n.parentId)!).toBeLessThan(index.get(n.id)!);
    expect(edges).toEqual([
      { id: 'manifest/ns->addon/db', source: 'manifest/ns', target: 'addon/db', crossStack: false },
      { id: 'addon/db->addon/web', source: 'addon/db', target: 'addon/web', crossStack: true },
    ]);
  });
});

const pod = (name: string, health = 'Healthy'): ResourceNode => ({
  apiVersion: 'v1',
  kind: 'Pod',
  name,
  namespace: 'apps',
  health,
  children: [],
});
const tree: ResourceNode[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'web',
    namespace: 'apps',
    health: 'Progressing',
    children: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-1',
        namespace: 'apps',
        health: 'Progressing',
        children: [pod('web-1-a'), pod('web-1-b', 'Degraded')],
      },
    ],
  },
  { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'apps', health: 'Healthy', children: [] },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    name: 'web',
    health: 'Healthy',
    children: [],
  },
];

describe('the Resource Map graph', () => {
  it('names objects and reads health at a glance', () => {
    expect(resourceRef({ kind: 'Pod', namespace: 'apps', name: 'a' })).toBe('Pod/apps/a');
    expect(resourceRef({ kind: 'ClusterRole', name: 'a' })).toBe('ClusterRole/a');
    expect(
      ['Healthy', 'Progressing', 'Suspended', 'Degraded', 'Missing', 'Unknown'].map(healthClass),
    ).toEqual(['good', 'warn', 'warn', 'bad', 'bad', 'neutral']);
    expect(healthCounts(tree)).toEqual({ Progressing: 2, Healthy: 3, Degraded: 1 });
  });

  it('flattens the tree owners first, each object with its owner; an object owned twice keeps distinct ids', () => {
    const flat = flattenTree(tree);
    expect(flat.map((f) => [f.id, f.data.owner])).toEqual([
      ['Deployment/apps/web', null],
      ['ReplicaSet/apps/web-1', 'Deployment/apps/web'],
      ['Pod/apps/web-1-a', 'ReplicaSet/apps/web-1'],
      ['Pod/apps/web-1-b', 'ReplicaSet/apps/web-1'],
      ['Service/apps/web', null],
      ['ClusterRole/web', null],
    ]);
    const twice = flattenTree([pod('p'), pod('p')]);
    expect(twice.map((f) => f.id)).toEqual(['Pod/apps/p', 'Pod/apps/p#1']);
  });

  it('gives ELK one edge per ownership and places nodes where ELK put them', () => {
    const g = resourceElkGraph(tree);
    expect(g.children).toHaveLength(6);
    expect(g.edges?.map((e) => e.id)).toEqual([
      'Deployment/apps/web->ReplicaSet/apps/web-1',
      'ReplicaSet/apps/web-1->Pod/apps/web-1-a',
      'ReplicaSet/apps/web-1->Pod/apps/web-1-b',
    ]);
    const laid = { id: 'resources', children: g.children!.map((c, i) => ({ ...c, x: i * 10, y: i * 5 })) };
    const { nodes, edges } = resourceGraph(tree, laid);
    expect(nodes[3]).toMatchObject({ id: 'Pod/apps/web-1-b', position: { x: 30, y: 15 }, type: 'resource' });
    expect(nodes[3]!.data.resource.health).toBe('Degraded');
    expect(edges.map((e) => [e.source, e.target])).toEqual([
      ['Deployment/apps/web', 'ReplicaSet/apps/web-1'],
      ['ReplicaSet/apps/web-1', 'Pod/apps/web-1-a'],
      ['ReplicaSet/apps/web-1', 'Pod/apps/web-1-b'],
    ]);
  });
});

describe('values as YAML', () => {
  it('writes nested maps, lists, masked values, quoting what would read differently', () => {
    expect(
      toYaml({
        replicas: 2,
        auth: { user: 'admin', password: '***' },
        tags: ['a', 'yes', { name: 'x', port: 80 }],
        empty: {},
        none: [],
        text: 'line one\nline two\n',
        version: '1.0',
        colon: 'a: b',
        nothing: null,
        on: true,
      }),
    ).toBe(`replicas: 2
auth:
  user: admin
  password: ***
tags:
  - a
  - "yes"
  - name: x
    port: 80
empty: {}
none: []
text: |
  line one
  line two
version: "1.0"
colon: "a: b"
nothing: null
"on": true
`);
  });
});
