import { describe, expect, it } from 'vitest';
import { grantGroup, grantProblem, impersonationFor } from '../src/proxy/grants.ts';
import { apiServerPath, isDiscovery, isStream, kubeStatus, passedHeaders } from '../src/proxy/request.ts';
import { ChunkSequencer } from '../src/proxy/sequencer.ts';

describe('the Kubernetes path below /clusters/{id}/k8s', () => {
  it.each([
    ['/api/v1/clusters/c1/k8s/api/v1/pods?watch=true', '/api/v1/pods?watch=true'],
    ['/api/v1/clusters/c1/k8s/apis', '/apis'],
    ['/api/v1/clusters/c1/k8s', '/'],
    ['/api/v1/clusters/c1/k8sx/api', undefined],
    ['/api/v1/clusters/c1/addons', undefined],
  ])('%s → %s', (url, path) => {
    expect(apiServerPath(url)).toBe(path);
  });
});

describe('streams', () => {
  it.each([
    ['GET', '/api/v1/namespaces/a/pods?watch=true', true],
    ['GET', '/api/v1/namespaces/a/pods?watch=1&resourceVersion=5', true],
    ['GET', '/api/v1/namespaces/a/pods/p/log?follow=true&container=c', true],
    ['GET', '/api/v1/watch/namespaces/a/pods', true],
    ['GET', '/apis/apps/v1/watch/deployments', true],
    ['GET', '/api/v1/namespaces/a/pods', false],
    ['GET', '/api/v1/namespaces/a/pods/p/log?follow=false', false],
    ['GET', '/api/v1/namespaces/watch/pods', false],
    ['POST', '/api/v1/namespaces/a/pods?watch=true', false],
  ])('%s %s → %s', (method, path, stream) => {
    expect(isStream(method, path)).toBe(stream);
  });
});

describe('discovery', () => {
  it.each([
    ['/version', true],
    ['/api', true],
    ['/api/v1', true],
    ['/api/v1/', true],
    ['/apis', true],
    ['/apis/apps', true],
    ['/apis/apps/v1?timeout=32s', true],
    ['/openapi/v3/apis/apps/v1', true],
    ['/api/v1/pods', false],
    ['/api/v1/namespaces', false],
    ['/apis/apps/v1/deployments', false],
    ['/api/v1/namespaces/a/secrets', false],
  ])('GET %s → %s', (path, yes) => {
    expect(isDiscovery('GET', path)).toBe(yes);
  });
  it('only reads', () => {
    expect(isDiscovery('POST', '/apis')).toBe(false);
  });
});

describe('grants', () => {
  it('a cluster-wide grant is the group mooring:<role>; a namespace grant names the namespace', () => {
    expect(grantGroup({ role: 'view', namespace: null })).toBe('mooring:view');
    expect(grantGroup({ role: 'edit', namespace: 'shop' })).toBe('mooring:namespace:shop:edit');
  });
  it('impersonates mooring:<username> in the grant’s group and system:authenticated', () => {
    expect(impersonationFor('alice', { role: 'admin', namespace: null })).toEqual({
      user: 'mooring:alice',
      groups: ['mooring:admin', 'system:authenticated'],
    });
    expect(impersonationFor('bob', undefined)).toEqual({
      user: 'mooring:bob',
      groups: ['system:authenticated'],
    });
  });
  it('cluster-admin cannot be limited to a namespace', () => {
    expect(grantProblem({ role: 'cluster-admin', namespace: 'a' })).toMatch(/cluster-admin/);
    expect(grantProblem({ role: 'cluster-admin', namespace: null })).toBeUndefined();
    expect(grantProblem({ role: 'edit', namespace: 'a' })).toBeUndefined();
  });
});

describe('headers and statuses', () => {
  it('passes content type, accept and user agent; never credentials or impersonation', () => {
    expect(
      passedHeaders({
        accept: 'application/json',
        'content-type': 'application/apply-patch+yaml',
        'user-agent': 'kubectl',
        authorization: 'Bearer secret',
        'impersonate-user': 'system:admin',
        'impersonate-group': ['system:masters'],
      }),
    ).toEqual({
      accept: 'application/json',
      'content-type': 'application/apply-patch+yaml',
      'user-agent': 'kubectl',
    });
  });
  it('answers a Kubernetes Status', () => {
    expect(JSON.parse(kubeStatus(403, 'Forbidden', 'no'))).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'no',
      reason: 'Forbidden',
      code: 403,
    });
  });
});

describe('ChunkSequencer', () => {
  it('hands chunks on in order, holding early ones, dropping repeats', () => {
    const s = new ChunkSequencer();
    expect(s.accept({ seq: 1, data: 'b' })).toEqual([]);
    expect(s.accept({ seq: 0, data: 'a' })).toEqual([
      { seq: 0, data: 'a' },
      { seq: 1, data: 'b' },
    ]);
    expect(s.accept({ seq: 1, data: 'b' })).toEqual([]);
    expect(s.accept({ seq: 3, end: true })).toEqual([]);
    expect(s.accept({ seq: 2, data: 'c' })).toEqual([
      { seq: 2, data: 'c' },
      { seq: 3, end: true },
    ]);
  });
});
