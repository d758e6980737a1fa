import { describe, expect, it } from 'vitest';
import { BUILTIN_KINDS, discoveredKinds, preferredGroupVersions } from '../src/resources/kinds.ts';
import { fitObject, PartPacker, TRUNCATED_ANNOTATION, trimObject } from '../src/resources/trim.ts';

describe('trimObject', () => {
  it('drops managedFields and the last-applied annotation, keeps the other annotations', () => {
    const out = trimObject('configmaps', {
      kind: 'ConfigMap',
      metadata: {
        name: 'a',
        managedFields: [{ manager: 'kubectl' }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{}}', keep: 'me' },
      },
      data: { x: '1' },
    });
    expect(out).toEqual({
      kind: 'ConfigMap',
      metadata: { name: 'a', annotations: { keep: 'me' } },
      data: { x: '1' },
    });
  });

  it('never lets a Secret’s data out: no data, no stringData, no last-applied copy of them', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: 's',
        namespace: 'n',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"password":"hunter2"}}',
        },
      },
      data: { password: Buffer.from('hunter2').toString('base64') },
      stringData: { password: 'hunter2' },
    };
    const out = trimObject('secrets', secret);
    expect(out).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 's', namespace: 'n' },
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|aHVudGVyMg/);
    // a Secret read from a list without its kind is known by the kind's key
    expect(trimObject('secrets', { metadata: { name: 's' }, data: { a: 'b' } })).toEqual({
      metadata: { name: 's' },
    });
    // the input is not changed
    expect(secret.data.password).toBeDefined();
  });
});

describe('message sizes', () => {
  it('cuts an object too large for one message to its identity, marked', () => {
    const big = { metadata: { name: 'big', namespace: 'n', uid: 'u' }, data: { x: 'y'.repeat(10_000) } };
    const out = fitObject(big, 1000);
    expect(out).toEqual({
      metadata: { name: 'big', namespace: 'n', uid: 'u', annotations: { [TRUNCATED_ANNOTATION]: 'true' } },
    });
    expect(fitObject({ metadata: { name: 'small' } }, 1000)).toEqual({ metadata: { name: 'small' } });
  });

  it('packs objects into parts under the byte limit, in order', () => {
    const packer = new PartPacker(4096);
    const parts: string[][] = [];
    for (let i = 0; i < 40; i++) {
      const full = packer.add({ metadata: { name: `o${i}` }, data: { x: 'z'.repeat(200) } });
      if (full) parts.push(full.map((o) => o.metadata.name));
    }
    parts.push(packer.take().map((o) => o.metadata.name));
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.flat()).toEqual(Array.from({ length: 40 }, (_, i) => `o${i}`));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(Math.floor(4096 / 200));
  });
});

describe('kinds', () => {
  it('streams 26 built-in kinds, with where each is served', () => {
    expect(BUILTIN_KINDS).toHaveLength(26);
    const byKey = Object.fromEntries(BUILTIN_KINDS.map((k) => [k.key, k]));
    expect(byKey.pods).toMatchObject({ base: '/api/v1', plural: 'pods', namespaced: true });
    expect(byKey['deployments.apps']).toMatchObject({ base: '/apis/apps/v1', kind: 'Deployment' });
    expect(byKey['customresourcedefinitions.apiextensions.k8s.io']?.namespaced).toBe(false);
    expect(byKey['horizontalpodautoscalers.autoscaling']?.api_version).toBe('autoscaling/v2');
  });

  it('discovery adds listable, watchable kinds that are not built in, never subresources or events.k8s.io', () => {
    const kinds = discoveredKinds([
      {
        groupVersion: 'v1',
        resources: [
          { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['list', 'watch'] },
          { name: 'pods/log', kind: 'Pod', namespaced: true, verbs: ['get'] },
          { name: 'limitranges', kind: 'LimitRange', namespaced: true, verbs: ['list', 'watch', 'get'] },
          { name: 'bindings', kind: 'Binding', namespaced: true, verbs: ['create'] },
        ],
      },
      {
        groupVersion: 'example.com/v1',
        resources: [{ name: 'widgets', kind: 'Widget', namespaced: true, verbs: ['list', 'watch'] }],
      },
      {
        groupVersion: 'events.k8s.io/v1',
        resources: [{ name: 'events', kind: 'Event', namespaced: true, verbs: ['list', 'watch'] }],
      },
    ]);
    expect(kinds.map((k) => [k.key, k.base])).toEqual([
      ['limitranges', '/api/v1'],
      ['widgets.example.com', '/apis/example.com/v1'],
    ]);
    expect(
      preferredGroupVersions({
        groups: [
          { name: 'apps', preferredVersion: { groupVersion: 'apps/v1' } },
          { name: 'events.k8s.io', preferredVersion: { groupVersion: 'events.k8s.io/v1' } },
        ],
      }),
    ).toEqual(['apps/v1']);
  });
});
