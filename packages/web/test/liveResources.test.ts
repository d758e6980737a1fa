import { describe, expect, it } from 'vitest';
import {
  applyResourceEvent,
  containersOf,
  type LiveObject,
  parseSse,
  statusOf,
} from '../src/resources/liveResources.ts';

const pod = (name: string, rv: string, phase = 'Running'): LiveObject => ({
  kind: 'Pod',
  metadata: { name, namespace: 'apps', resourceVersion: rv },
  spec: { containers: [{ name: 'app' }, { name: 'side' }], initContainers: [{ name: 'init' }] },
  status: { phase, containerStatuses: [{ ready: true }, { ready: false }] },
});

describe('live resources', () => {
  it('applies watch events to the list: add, replace whatever the resourceVersion, delete, ignore unknown deletes', () => {
    let items: LiveObject[] = [pod('a', '10')];
    items = applyResourceEvent(items, { type: 'ADDED', kind: 'Pod', object: pod('b', '11') });
    // an opaque resourceVersion: a "smaller" one still replaces
    items = applyResourceEvent(items, { type: 'MODIFIED', kind: 'Pod', object: pod('a', '9', 'Failed') });
    expect(items.map((o) => [o.metadata.name, o.metadata.resourceVersion, o.status?.phase])).toEqual([
      ['a', '9', 'Failed'],
      ['b', '11', 'Running'],
    ]);
    const before = items;
    items = applyResourceEvent(items, { type: 'DELETED', kind: 'Pod', object: pod('a', '12') });
    expect(items.map((o) => o.metadata.name)).toEqual(['b']);
    expect(before).toHaveLength(2);
    expect(applyResourceEvent(items, { type: 'DELETED', kind: 'Pod', object: pod('zz', '1') })).toEqual(
      items,
    );
    expect(applyResourceEvent(items, { type: 'SYNCED', kind: 'Pod', count: 1 })).toEqual(items);
    // a MODIFIED for an object not seen yet joins the list
    expect(applyResourceEvent([], { type: 'MODIFIED', kind: 'Pod', object: pod('c', '1') })).toHaveLength(1);
  });

  it('reads Server-Sent Events across chunks, skipping comments', () => {
    const one = parseSse(': live resources\n\ndata: {"a":1}\n\ndata: {"b"');
    expect(one.data).toEqual(['{"a":1}']);
    const two = parseSse(`${one.rest}:2}\n\n: ping\n\n`);
    expect(two).toEqual({ data: ['{"b":2}'], rest: '' });
    expect(parseSse('data: x\r\ndata: y\r\n\r\n').data).toEqual(['x\ny']);
  });

  it('summarises status by kind and lists a pod’s containers', () => {
    expect(statusOf(pod('a', '1'))).toBe('Running 1/2');
    expect(
      statusOf({
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: { replicas: 3 },
        status: { readyReplicas: 2 },
      }),
    ).toBe('2/3 ready');
    expect(statusOf({ kind: 'Namespace', metadata: { name: 'n' }, status: { phase: 'Active' } })).toBe(
      'Active',
    );
    expect(statusOf({ kind: 'ConfigMap', metadata: { name: 'c' } })).toBe('');
    expect(containersOf(pod('a', '1'))).toEqual(['app', 'side', 'init']);
    expect(containersOf(undefined)).toEqual([]);
  });
});
