import { describe, expect, it } from 'vitest';
import {
  agentPermissions,
  allowed,
  type BusOperation,
  InProcessBus,
  InProcessHub,
  kubeControlSubject,
  kubeDataSubject,
  kubeProxyRequestSchema,
  kubeRequestSubject,
  platformPermissions,
} from '../src/index.ts';

const SID = 'stream-0001';

describe('kubectl proxy subjects', () => {
  it('names the request, data and control subjects of one cluster', () => {
    expect(kubeRequestSubject('a')).toBe('agent.kube.a.req');
    expect(kubeDataSubject('a', SID)).toBe('agent.kube.a.data.stream-0001');
    expect(kubeControlSubject('a', SID)).toBe('agent.kube.a.ctl.stream-0001');
  });

  it('refuses a stream id that is not one safe token', () => {
    for (const bad of ['a.b.c.d.e', '>', '*', 'short', 'x'.repeat(65), 'has space1'])
      expect(() => kubeDataSubject('a', bad), bad).toThrow(/stream id/);
  });

  it('validates a request: no other method, a path from the root', () => {
    const ok = {
      stream_id: SID,
      method: 'GET',
      path: '/api/v1/pods?watch=true',
      headers: {},
      impersonate: { user: 'mooring:alice', groups: ['system:authenticated'] },
      stream: true,
    };
    expect(kubeProxyRequestSchema.safeParse(ok).success).toBe(true);
    expect(kubeProxyRequestSchema.safeParse({ ...ok, method: 'CONNECT' }).success).toBe(false);
    expect(kubeProxyRequestSchema.safeParse({ ...ok, path: 'api/v1' }).success).toBe(false);
  });
});

describe('kubectl proxy permissions', () => {
  const a = agentPermissions('cluster-a');
  const p = platformPermissions();
  const cases: [who: string, name: string, subject: string, op: BusOperation, ok: boolean][] = [
    ['agent a', 'its proxy requests', kubeRequestSubject('cluster-a'), 'sub', true],
    ['agent a', 'its stream controls', 'agent.kube.cluster-a.ctl.*', 'sub', true],
    ['agent a', 'publishing its stream data', kubeDataSubject('cluster-a', SID), 'pub', true],
    ['agent a', "another cluster's proxy requests", kubeRequestSubject('cluster-b'), 'sub', false],
    ['agent a', "another cluster's controls", 'agent.kube.cluster-b.ctl.*', 'sub', false],
    ['agent a', "another cluster's stream data", kubeDataSubject('cluster-b', SID), 'pub', false],
    ['agent a', 'every cluster’s requests', 'agent.kube.*.req', 'sub', false],
    ['agent a', 'reading stream data', 'agent.kube.cluster-a.data.*', 'sub', false],
    ['agent a', 'sending a proxy request', kubeRequestSubject('cluster-a'), 'pub', false],
    ['agent a', 'sending a control', kubeControlSubject('cluster-a', SID), 'pub', false],
    ['platform', 'a proxy request to any cluster', kubeRequestSubject('cluster-b'), 'pub', true],
    ['platform', 'a control to any cluster', kubeControlSubject('cluster-b', SID), 'pub', true],
    ['platform', 'the data of any stream', kubeDataSubject('cluster-b', SID), 'sub', true],
    ['platform', 'publishing stream data', kubeDataSubject('cluster-b', SID), 'pub', false],
  ];
  it.each(cases)('%s: %s (%s, %s) → %s', (who, _name, subject, op, ok) => {
    expect(allowed(who === 'platform' ? p : a, subject, op)).toBe(ok);
  });

  it('in-process: an agent answers its own requests and streams, never another cluster’s', async () => {
    const hub = new InProcessHub();
    const platform = new InProcessBus({ hub, permissions: platformPermissions() });
    const agentA = new InProcessBus({ hub, permissions: agentPermissions('a') });
    try {
      const got: unknown[] = [];
      await platform.subscribe(kubeDataSubject('a', SID), (m) => {
        got.push(m.data);
      });
      await agentA.subscribe(kubeRequestSubject('a'), (m) => {
        m.reply?.({ status: 200, more: true });
        void agentA.publish(kubeDataSubject('a', SID), { seq: 0, end: true });
      });
      expect(await platform.request(kubeRequestSubject('a'), { x: 1 })).toEqual({ status: 200, more: true });
      await expect.poll(() => got).toEqual([{ seq: 0, end: true }]);
      await expect(agentA.subscribe(kubeRequestSubject('b'), () => undefined)).rejects.toThrow(/permission/i);
      await expect(agentA.publish(kubeDataSubject('b', SID), { seq: 0 })).rejects.toThrow(/permission/i);
    } finally {
      await agentA.close();
      await platform.close();
    }
  });
});
