import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { apiServerHeaders, kubeStatus, replyHeaders } from '../src/proxy/headers.ts';
import { Slots } from '../src/proxy/slots.ts';

describe('Slots', () => {
  it('refuses past the limit at once and frees a slot once per release', () => {
    const s = new Slots(2);
    const a = s.take();
    const b = s.take();
    expect(a && b).toBeTruthy();
    expect(s.take()).toBeUndefined();
    a!();
    a!();
    expect(s.used).toBe(1);
    expect(s.take()).toBeDefined();
    expect(() => new Slots(0)).toThrow(RangeError);
  });
});

describe('headers to the API server', () => {
  it('keeps the safe request headers, drops credentials and sets the impersonation', () => {
    expect(
      apiServerHeaders({
        headers: {
          Accept: 'application/json',
          authorization: 'Bearer x',
          'Impersonate-User': 'system:admin',
        },
        impersonate: { user: 'mooring:alice', groups: ['mooring:view', 'system:authenticated'] },
      }),
    ).toEqual({
      accept: 'application/json',
      'impersonate-user': 'mooring:alice',
      'impersonate-group': ['mooring:view', 'system:authenticated'],
    });
  });
  it('passes back content type, audit id, warnings and retry-after only', () => {
    expect(
      replyHeaders({
        'content-type': 'application/json',
        'audit-id': 'a1',
        'set-cookie': ['x'],
        warning: 'w',
      }),
    ).toEqual({ 'content-type': 'application/json', 'audit-id': 'a1', warning: 'w' });
  });
  it('a Status body', () => {
    const s = kubeStatus(429, 'TooManyRequests', 'retry');
    expect(s.status).toBe(429);
    expect(JSON.parse(s.body.toString())).toMatchObject({
      kind: 'Status',
      code: 429,
      reason: 'TooManyRequests',
    });
  });
});

describe('proxy concurrency settings', () => {
  it('default to 64 unary and 128 streams; the variables set them', () => {
    const d = loadConfig({ MOORING_CLUSTER_ID: 'c1' });
    expect([d.kubeProxyUnaryConcurrency, d.kubeProxyStreamConcurrency]).toEqual([64, 128]);
    const c = loadConfig({
      MOORING_CLUSTER_ID: 'c1',
      KUBE_PROXY_UNARY_CONCURRENCY: '8',
      KUBE_PROXY_STREAM_CONCURRENCY: '16',
    });
    expect([c.kubeProxyUnaryConcurrency, c.kubeProxyStreamConcurrency]).toEqual([8, 16]);
    expect(() => loadConfig({ MOORING_CLUSTER_ID: 'c1', KUBE_PROXY_UNARY_CONCURRENCY: '0' })).toThrow(
      /KUBE_PROXY_UNARY_CONCURRENCY/,
    );
  });
});
