import { describe, expect, it } from 'vitest';
import {
  agentPermissions,
  allowed,
  type BusOperation,
  logsControlSubject,
  logsDataSubject,
  logsRequestSubject,
  platformPermissions,
  podLogsControlSchema,
  podLogsRequestSchema,
  resourcesMessageSchema,
  resourcesSubject,
} from '../src/index.ts';

const SID = 'stream-0001';

describe('live resources and pod logs subjects', () => {
  it('names each cluster’s subjects', () => {
    expect(resourcesSubject('a')).toBe('agent.resources.a');
    expect(logsRequestSubject('a')).toBe('agent.logs.a.req');
    expect(logsDataSubject('a', SID)).toBe('agent.logs.a.data.stream-0001');
    expect(logsControlSubject('a', SID)).toBe('agent.logs.a.ctl.stream-0001');
    expect(() => resourcesSubject('a.b')).toThrow(/cluster id/);
    expect(() => logsDataSubject('a', '*')).toThrow(/stream id/);
  });

  const a = agentPermissions('cluster-a');
  const p = platformPermissions();
  const cases: [who: string, name: string, subject: string, op: BusOperation, ok: boolean][] = [
    ['agent a', 'publishing its resources', resourcesSubject('cluster-a'), 'pub', true],
    ['agent a', "publishing another cluster's resources", resourcesSubject('cluster-b'), 'pub', false],
    ['agent a', 'reading resources', 'agent.resources.*', 'sub', false],
    ['agent a', 'its log requests', logsRequestSubject('cluster-a'), 'sub', true],
    ['agent a', 'its log credit', 'agent.logs.cluster-a.ctl.*', 'sub', true],
    ['agent a', 'publishing its log chunks', logsDataSubject('cluster-a', SID), 'pub', true],
    ['agent a', "another cluster's log requests", logsRequestSubject('cluster-b'), 'sub', false],
    ['agent a', "another cluster's log chunks", logsDataSubject('cluster-b', SID), 'pub', false],
    ['agent a', 'sending log credit', logsControlSubject('cluster-a', SID), 'pub', false],
    ['platform', 'every cluster’s resources', 'agent.resources.*', 'sub', true],
    ['platform', 'publishing resources', resourcesSubject('cluster-a'), 'pub', false],
    ['platform', 'a log request to any cluster', logsRequestSubject('cluster-b'), 'pub', true],
    ['platform', 'log credit to any cluster', logsControlSubject('cluster-b', SID), 'pub', true],
    ['platform', 'the chunks of any log', logsDataSubject('cluster-b', SID), 'sub', true],
  ];
  it.each(cases)('%s: %s (%s, %s) → %s', (who, _name, subject, op, ok) => {
    expect(allowed(who === 'platform' ? p : a, subject, op)).toBe(ok);
  });
});

describe('schemas', () => {
  const req = {
    stream_id: SID,
    namespace: 'web',
    pod: 'app-1',
    all_containers: false,
    follow: true,
    previous: false,
    timestamps: false,
    window: 32,
  };
  it('takes a log request and refuses bad names and counts', () => {
    expect(podLogsRequestSchema.safeParse(req).success).toBe(true);
    expect(podLogsRequestSchema.safeParse({ ...req, pod: 'A/b' }).success).toBe(false);
    expect(podLogsRequestSchema.safeParse({ ...req, tail_lines: -1 }).success).toBe(false);
    expect(podLogsRequestSchema.safeParse({ ...req, window: 0 }).success).toBe(false);
    expect(podLogsControlSchema.safeParse({ ack: 4 }).success).toBe(true);
    expect(podLogsControlSchema.safeParse({ cancel: true }).success).toBe(true);
    expect(podLogsControlSchema.safeParse({ ack: 'x' }).success).toBe(false);
  });

  it('takes each resources message and refuses an object without a name', () => {
    const kind = { key: 'pods', kind: 'Pod', api_version: 'v1', namespaced: true };
    const obj = { metadata: { name: 'a', namespace: 'n' } };
    for (const m of [
      { op: 'kinds', at: 'now', kinds: [kind] },
      { op: 'sync', kind, sync_id: 's1', part: 0, last: true, items: [obj] },
      { op: 'event', kind: 'pods', type: 'DELETED', object: obj },
      { op: 'error', kind: 'pods', message: 'forbidden' },
      { op: 'alive', at: 'now' },
    ])
      expect(resourcesMessageSchema.safeParse(m).success, m.op).toBe(true);
    expect(
      resourcesMessageSchema.safeParse({ op: 'event', kind: 'pods', type: 'ADDED', object: { metadata: {} } })
        .success,
    ).toBe(false);
  });
});
