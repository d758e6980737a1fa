import { describe, expect, it } from 'vitest';
import {
  agentInboxPrefix,
  agentPermissions,
  allowed,
  type BusOperation,
  BusPermissionError,
  commandSubject,
  heartbeatSubject,
  InProcessBus,
  InProcessHub,
  PLATFORM_INBOX_PREFIX,
  patternCovers,
  platformPermissions,
  requestSubject,
  requestSubjects,
  resultSubject,
} from '../src/index.ts';

describe('patternCovers', () => {
  const cases: [name: string, allow: string, pattern: string, covered: boolean][] = [
    ['a concrete subject covers itself', 'a.b', 'a.b', true],
    ['a concrete subject covers nothing else', 'a.b', 'a.c', false],
    ['* covers one token', 'a.*', 'a.b', true],
    ['* does not cover two tokens', 'a.*', 'a.b.c', false],
    ['* covers a * subscription', 'a.*', 'a.*', true],
    ['* does not cover a > subscription', 'a.*', 'a.>', false],
    ['> covers one or more tokens', 'a.>', 'a.b.c', true],
    ['> needs at least one token', 'a.>', 'a', false],
    ['> covers wildcard subscriptions below it', 'a.>', 'a.*.c', true],
    ['a concrete subject does not cover a wildcard subscription', 'a.b', 'a.*', false],
    ['a shorter pattern covers nothing longer', 'a', 'a.b', false],
  ];
  it.each(cases)('%s', (_name, allow, pattern, covered) => {
    expect(patternCovers(allow, pattern)).toBe(covered);
  });
});

describe('agentPermissions', () => {
  const a = agentPermissions('cluster-a');

  it('lists exactly the subjects of its own cluster', () => {
    expect(a).toEqual({
      publish: [
        'agent.heartbeat.native_reconcile.cluster-a',
        'agent.results.cluster-a',
        'agent.states.cluster-a',
        '$JS.API.CONSUMER.INFO.MOORING_COMMANDS.agent-cluster-a',
        '$JS.API.CONSUMER.MSG.NEXT.MOORING_COMMANDS.agent-cluster-a',
        '$JS.ACK.MOORING_COMMANDS.agent-cluster-a.>',
        'agent.kube.cluster-a.data.*',
        'agent.resources.cluster-a',
        'agent.logs.cluster-a.data.*',
      ],
      subscribe: [
        '_INBOX.agent.cluster-a.>',
        'agent.requests.cluster-a.>',
        'agent.kube.cluster-a.req',
        'agent.kube.cluster-a.ctl.*',
        'agent.logs.cluster-a.req',
        'agent.logs.cluster-a.ctl.*',
      ],
      responses: { max: 1, ttlMs: 60_000 },
    });
  });

  const cases: [name: string, subject: string, op: BusOperation, ok: boolean][] = [
    ['its heartbeat', heartbeatSubject('cluster-a'), 'pub', true],
    ['its results', resultSubject('cluster-a'), 'pub', true],
    ['an ack of its command', '$JS.ACK.MOORING_COMMANDS.agent-cluster-a.1.5.5.1700000000.0', 'pub', true],
    ['its inbox', `${agentInboxPrefix('cluster-a')}.abc.*`, 'sub', true],
    ["another cluster's heartbeat", heartbeatSubject('cluster-b'), 'pub', false],
    ["another cluster's results", resultSubject('cluster-b'), 'pub', false],
    [
      "another cluster's pull request",
      '$JS.API.CONSUMER.MSG.NEXT.MOORING_COMMANDS.agent-cluster-b',
      'pub',
      false,
    ],
    [
      "another cluster's consumer info",
      '$JS.API.CONSUMER.INFO.MOORING_COMMANDS.agent-cluster-b',
      'pub',
      false,
    ],
    [
      "an ack of another cluster's command",
      '$JS.ACK.MOORING_COMMANDS.agent-cluster-b.1.5.5.1.0',
      'pub',
      false,
    ],
    [
      'a consumer of its own name but another filter',
      '$JS.API.CONSUMER.CREATE.MOORING_COMMANDS.agent-cluster-a.agent.commands.cluster-b',
      'pub',
      false,
    ],
    [
      'creating its own consumer (the platform does)',
      '$JS.API.CONSUMER.CREATE.MOORING_COMMANDS',
      'pub',
      false,
    ],
    ['the stream', '$JS.API.STREAM.INFO.MOORING_COMMANDS', 'pub', false],
    ['sending commands', commandSubject('cluster-a'), 'pub', false],
    ['its own command subject directly', commandSubject('cluster-a'), 'sub', false],
    ['every heartbeat', 'agent.heartbeat.native_reconcile.*', 'sub', false],
    ['its own heartbeat (agents do not listen)', heartbeatSubject('cluster-a'), 'sub', false],
    ['every inbox', '_INBOX.>', 'sub', false],
    ["another cluster's inbox", `${agentInboxPrefix('cluster-b')}.x`, 'sub', false],
    ['the platform inbox', `${PLATFORM_INBOX_PREFIX}.x`, 'sub', false],
    [
      'publishing to the platform inbox (replies go as responses)',
      `${PLATFORM_INBOX_PREFIX}.x`,
      'pub',
      false,
    ],
    ['requests to it', requestSubject('cluster-a', 'addon.tree'), 'sub', true],
    ['every request to it', requestSubjects('cluster-a'), 'sub', true],
    ["requests to another cluster's agent", requestSubjects('cluster-b'), 'sub', false],
    ['every request', 'agent.requests.>', 'sub', false],
    ['sending requests', requestSubject('cluster-a', 'addon.tree'), 'pub', false],
    ['everything', '>', 'sub', false],
  ];
  it.each(cases)('%s (%s, %s) → %s', (_name, subject, op, ok) => {
    expect(allowed(a, subject, op)).toBe(ok);
  });

  it('refuses an unsafe cluster id', () => {
    expect(() => agentPermissions('a.>')).toThrow(/cluster id/);
    expect(() => agentPermissions('*')).toThrow(/cluster id/);
  });
});

describe('platformPermissions', () => {
  const p = platformPermissions();
  const cases: [name: string, subject: string, op: BusOperation, ok: boolean][] = [
    ['every heartbeat', 'agent.heartbeat.native_reconcile.*', 'sub', true],
    ['every result', 'agent.results.*', 'sub', true],
    ['a command to any cluster', commandSubject('cluster-b'), 'pub', true],
    ['a request to any cluster', requestSubject('cluster-b', 'addon.history'), 'pub', true],
    ['the JetStream API', '$JS.API.STREAM.CREATE.MOORING_COMMANDS', 'pub', true],
    ['its inbox', `${PLATFORM_INBOX_PREFIX}.abc.*`, 'sub', true],
    ["an agent's inbox", `${agentInboxPrefix('cluster-a')}.>`, 'sub', false],
    ['speaking for an agent', heartbeatSubject('cluster-a'), 'pub', false],
    ['acking commands', '$JS.ACK.MOORING_COMMANDS.agent-cluster-a.1.1.1.1.0', 'pub', false],
  ];
  it.each(cases)('%s (%s, %s) → %s', (_name, subject, op, ok) => {
    expect(allowed(p, subject, op)).toBe(ok);
  });
});

describe('InProcessBus with permissions (one cluster’s view of the hub)', () => {
  const heartbeat = (id: string) => ({
    cluster_id: id,
    last_sweep_at: new Date().toISOString(),
    sweep_duration_seconds: 1,
    addons_inspected: 2,
  });
  const command = (id: string, n: number) => ({
    id: `cmd-${n}`,
    kind: 'sweep',
    cluster_id: id,
    issued_at: new Date().toISOString(),
    payload: {},
  });
  const setup = () => {
    const hub = new InProcessHub();
    const platform = new InProcessBus({ hub, permissions: platformPermissions() });
    const agentA = new InProcessBus({ hub, permissions: agentPermissions('a') });
    return { hub, platform, agentA };
  };

  it('lets an agent publish its heartbeat and take its own commands', async () => {
    const { platform, agentA } = setup();
    const seen: unknown[] = [];
    await platform.subscribe('agent.heartbeat.native_reconcile.*', (m) => void seen.push(m.data));
    await agentA.publish(heartbeatSubject('a'), heartbeat('a'));
    await platform.commands('a').send(command('a', 1));
    const got = await agentA.commands('a').next({ timeoutMs: 500 });
    expect(got?.command.id).toBe('cmd-1');
    await got?.ack();
    await expect.poll(() => seen.length).toBe(1);
  });

  it("refuses another cluster's subjects and commands with BusPermissionError", async () => {
    const { platform, agentA } = setup();
    const seen: unknown[] = [];
    await platform.subscribe('agent.heartbeat.native_reconcile.*', (m) => void seen.push(m.data));
    await platform.commands('b').send(command('b', 1));

    const refused = async (p: Promise<unknown>, subject: string, operation: string) => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(BusPermissionError);
      expect(e).toMatchObject({ subject, operation });
    };
    await refused(agentA.publish(heartbeatSubject('b'), heartbeat('b')), heartbeatSubject('b'), 'publish');
    await refused(
      agentA.subscribe('agent.heartbeat.native_reconcile.*', () => {}),
      'agent.heartbeat.native_reconcile.*',
      'subscribe',
    );
    await refused(
      agentA.subscribe(commandSubject('b'), () => {}),
      commandSubject('b'),
      'subscribe',
    );
    await refused(
      agentA.commands('b').next({ timeoutMs: 100 }),
      '$JS.API.CONSUMER.MSG.NEXT.MOORING_COMMANDS.agent-b',
      'publish',
    );
    expect(() => agentA.commands('b').consume(() => {})).toThrow(BusPermissionError);
    await refused(agentA.commands('a').send(command('a', 2)), commandSubject('a'), 'publish');
    await refused(agentA.request('anything.else', {}), 'anything.else', 'publish');

    // nothing crossed: B's command is still there for B, no heartbeat was delivered
    const agentB = new InProcessBus({ hub: platform.hub, permissions: agentPermissions('b') });
    const forB = await agentB.commands('b').next({ timeoutMs: 500 });
    expect(forB?.command.cluster_id).toBe('b');
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
  });

  it('is unrestricted without permissions', async () => {
    const { hub } = setup();
    const open = new InProcessBus({ hub });
    await expect(open.publish('anything.at.all', {})).resolves.toBeUndefined();
  });
});
