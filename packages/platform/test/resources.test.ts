import type { ResourceKind, StreamedObject } from '@mooring/bus';
import { describe, expect, it } from 'vitest';
import { ResourceCache, type ResourceChange, STALE_AFTER_MS } from '../src/resources/cache.ts';
import { LabelSelectorError, matchesLabels, parseLabelSelector } from '../src/resources/labelSelector.ts';

const pods: ResourceKind = { key: 'pods', kind: 'Pod', api_version: 'v1', namespaced: true };
const deployments: ResourceKind = {
  key: 'deployments.apps',
  kind: 'Deployment',
  api_version: 'apps/v1',
  namespaced: true,
};
const t0 = new Date('2026-01-01T00:00:00Z');
const pod = (name: string, ns = 'a', rv = '1', labels?: Record<string, string>): StreamedObject => ({
  metadata: { name, namespace: ns, resourceVersion: rv, ...(labels ? { labels } : {}) },
});

function started() {
  const cache = new ResourceCache();
  const changes: ResourceChange[] = [];
  cache.subscribe('c1', (c) => changes.push(c));
  cache.apply('c1', { op: 'kinds', at: t0.toISOString(), kinds: [pods, deployments] }, t0);
  return { cache, changes };
}

describe('ResourceCache', () => {
  it('a list in parts becomes the kind’s objects only with its last part', () => {
    const { cache, changes } = started();
    cache.apply(
      'c1',
      { op: 'sync', kind: pods, sync_id: 's1', part: 0, last: false, items: [pod('x'), pod('y')] },
      t0,
    );
    expect(cache.query('c1', { kind: 'pods' })).toEqual([]);
    cache.apply(
      'c1',
      { op: 'sync', kind: pods, sync_id: 's1', part: 1, last: true, items: [pod('z', 'b')] },
      t0,
    );
    expect(cache.query('c1', { kind: 'pods' }).map((o) => o.metadata.name)).toEqual(['x', 'y', 'z']);
    expect(changes.map((c) => c.type)).toEqual(['ADDED', 'ADDED', 'ADDED', 'SYNCED']);
    expect(cache.kind('c1', 'pods')).toMatchObject({ count: 3, synced_at: t0.toISOString(), error: null });
  });

  it('a new list replaces the old: gone objects are DELETED, changed ones MODIFIED, equal ones silent', () => {
    const { cache, changes } = started();
    cache.apply(
      'c1',
      { op: 'sync', kind: pods, sync_id: 's1', part: 0, last: true, items: [pod('x'), pod('y')] },
      t0,
    );
    changes.length = 0;
    cache.apply(
      'c1',
      {
        op: 'sync',
        kind: pods,
        sync_id: 's2',
        part: 0,
        last: true,
        items: [pod('x'), pod('y', 'a', '2'), pod('w')],
      },
      t0,
    );
    expect(changes.map((c) => `${c.type}:${'object' in c ? c.object.metadata.name : c.kind}`)).toEqual([
      'MODIFIED:y',
      'ADDED:w',
      'SYNCED:pods',
    ]);
    cache.apply('c1', { op: 'sync', kind: pods, sync_id: 's3', part: 0, last: true, items: [pod('x')] }, t0);
    expect(changes.slice(3).map((c) => c.type)).toEqual(['DELETED', 'DELETED', 'SYNCED']);
  });

  it('applies watch events and pushes them', () => {
    const { cache, changes } = started();
    cache.apply('c1', { op: 'sync', kind: pods, sync_id: 's1', part: 0, last: true, items: [] }, t0);
    const r = cache.apply('c1', { op: 'event', kind: 'pods', type: 'ADDED', object: pod('x') }, t0);
    expect(r.needsResync).toBe(false);
    cache.apply('c1', { op: 'event', kind: 'pods', type: 'MODIFIED', object: pod('x', 'a', '2') }, t0);
    expect(cache.query('c1', { kind: 'pods' })[0]?.metadata.resourceVersion).toBe('2');
    cache.apply('c1', { op: 'event', kind: 'pods', type: 'DELETED', object: pod('x', 'a', '3') }, t0);
    expect(cache.query('c1', { kind: 'pods' })).toEqual([]);
    expect(changes.map((c) => c.type)).toEqual(['SYNCED', 'ADDED', 'MODIFIED', 'DELETED']);
  });

  it('asks for everything again when it missed the start (platform restarted) or a part', () => {
    const cache = new ResourceCache();
    expect(cache.apply('c2', { op: 'alive', at: '' }, t0).needsResync).toBe(true);
    expect(
      cache.apply('c2', { op: 'event', kind: 'pods', type: 'ADDED', object: pod('x') }, t0).needsResync,
    ).toBe(true);
    const { cache: c } = started();
    expect(
      c.apply('c1', { op: 'sync', kind: pods, sync_id: 's1', part: 1, last: true, items: [pod('x')] }, t0)
        .needsResync,
    ).toBe(true);
    expect(c.query('c1', { kind: 'pods' })).toEqual([]);
    c.apply('c1', { op: 'sync', kind: pods, sync_id: 's2', part: 0, last: false, items: [pod('x')] }, t0);
    expect(
      c.apply('c1', { op: 'sync', kind: pods, sync_id: 's3', part: 1, last: true, items: [] }, t0)
        .needsResync,
    ).toBe(true);
  });

  it('filters by namespace and label selector; resolves a kind by key, plural or name', () => {
    const { cache } = started();
    cache.apply(
      'c1',
      {
        op: 'sync',
        kind: pods,
        sync_id: 's1',
        part: 0,
        last: true,
        items: [
          pod('x', 'a', '1', { app: 'web' }),
          pod('y', 'a', '1', { app: 'db' }),
          pod('z', 'b', '1', { app: 'web' }),
        ],
      },
      t0,
    );
    const names = (q: Parameters<ResourceCache['query']>[1]) =>
      cache.query('c1', q).map((o) => o.metadata.name);
    expect(names({ kind: 'pods', namespace: 'a' })).toEqual(['x', 'y']);
    expect(names({ kind: 'pods', selector: parseLabelSelector('app=web') })).toEqual(['x', 'z']);
    expect(names({ kind: 'pods', namespace: 'a', selector: parseLabelSelector('app!=web') })).toEqual(['y']);
    expect(cache.resolveKind('c1', 'Pod')).toBe('pods');
    expect(cache.resolveKind('c1', 'deployments')).toBe('deployments.apps');
    expect(cache.resolveKind('c1', 'deployment')).toBe('deployments.apps');
    expect(cache.resolveKind('c1', 'deployments.apps')).toBe('deployments.apps');
    expect(cache.resolveKind('c1', 'widgets')).toBeUndefined();
  });

  it('is stale after 90 s without a message, fresh again with an alive', () => {
    const { cache } = started();
    expect(cache.freshness('c1', t0).stale).toBe(false);
    const later = new Date(t0.getTime() + STALE_AFTER_MS + 1);
    expect(cache.freshness('c1', later)).toEqual({ lastHeard: t0, stale: true });
    cache.apply('c1', { op: 'alive', at: '' }, later);
    expect(cache.freshness('c1', later).stale).toBe(false);
    expect(cache.freshness('nope', later)).toEqual({ lastHeard: null, stale: true });
  });

  it('keeps a kind’s error until it is listed', () => {
    const { cache } = started();
    cache.apply('c1', { op: 'error', kind: 'pods', message: 'forbidden' }, t0);
    expect(cache.kind('c1', 'pods')?.error).toBe('forbidden');
    cache.apply('c1', { op: 'sync', kind: pods, sync_id: 's', part: 0, last: true, items: [] }, t0);
    expect(cache.kind('c1', 'pods')?.error).toBeNull();
  });
});

describe('label selectors', () => {
  const l = { app: 'web', tier: 'front', 'example.com/team': 'a' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app in (db, web)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['app=web,tier=back', false],
    ['example.com/team=a,env notin (prod)', true],
    ['', true],
  ])('%s → %s', (text, ok) => {
    expect(matchesLabels(parseLabelSelector(text), l)).toBe(ok);
  });
  it('refuses what is not a selector, naming it', () => {
    for (const bad of ['app=we b', 'a in x', '=web', 'app=-x'])
      expect(() => parseLabelSelector(bad), bad).toThrow(LabelSelectorError);
  });
});
