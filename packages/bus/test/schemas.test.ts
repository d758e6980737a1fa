import type { NativeReconcileHeartbeat as Heartbeat } from '@mooring/core';
import { nkeys } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import {
  BusMessageError,
  type CommandEnvelope,
  commandEnvelopeSchema,
  decode,
  heartbeatSchema,
  InProcessBus,
  natsConnectionOptions,
  reconcileLagSeconds,
  schemaForSubject,
  validateMessage,
} from '../src/index.ts';

const hb = {
  cluster_id: 'c1',
  last_sweep_at: '2026-01-02T03:04:05.000Z',
  sweep_duration_seconds: 0,
  addons_inspected: 0,
} satisfies Heartbeat;

describe('message schemas', () => {
  it('accepts the engine heartbeat as is', () => {
    expect(heartbeatSchema.parse(hb)).toEqual(hb);
    expect(heartbeatSchema.parse({ ...hb, last_sweep_at: '2026-01-02T03:04:05+02:00' }).last_sweep_at).toBe(
      '2026-01-02T03:04:05+02:00',
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a negative duration', { sweep_duration_seconds: -0.1 }, 'sweep_duration_seconds'],
    ['a fractional count', { addons_inspected: 2.5 }, 'addons_inspected'],
    ['a negative count', { addons_inspected: -1 }, 'addons_inspected'],
    ['a time that is not ISO', { last_sweep_at: 'Tue, 02 Jan 2026 03:04:05 GMT' }, 'last_sweep_at'],
    ['a dotted cluster id', { cluster_id: 'a.b' }, 'cluster_id'],
    ['an unknown field', { extra: 1 }, ''],
  ])('rejects a heartbeat with %s, naming the field', (_name, change, path) => {
    const subject = 'agent.heartbeat.native_reconcile.c1';
    const err = (() => {
      try {
        validateMessage(subject, { ...hb, ...change });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BusMessageError);
    expect((err as BusMessageError).subject).toBe(subject);
    expect((err as BusMessageError).issues[0]?.path).toBe(path);
  });

  it('knows the schema of heartbeat and command subjects only', () => {
    expect(schemaForSubject('agent.heartbeat.native_reconcile.c1')).toBe(heartbeatSchema);
    expect(schemaForSubject('agent.commands.c1')).toBe(commandEnvelopeSchema);
    expect(schemaForSubject('agent.heartbeat.other.c1')).toBeUndefined();
    expect(validateMessage('free.form', { anything: [1] })).toEqual({ anything: [1] });
  });

  it('parses a command envelope', () => {
    const cmd: CommandEnvelope = {
      id: '01J',
      kind: 'sync',
      cluster_id: 'c1',
      issued_at: '2026-01-02T03:04:05Z',
      payload: { stack: 'base' },
    };
    expect(validateMessage('agent.commands.c1', cmd)).toEqual(cmd);
    expect(() => validateMessage('agent.commands.c2', cmd)).toThrow(/cluster_id/);
  });

  it('reports text that is not JSON', () => {
    expect(() => decode('a.b', '{')).toThrow(BusMessageError);
    expect(decode('a.b', new TextEncoder().encode('{"x":1}'))).toEqual({ x: 1 });
  });

  it('refuses payloads JSON cannot carry', async () => {
    const bus = new InProcessBus();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(bus.publish('a.b', cyclic)).rejects.toBeInstanceOf(BusMessageError);
    await expect(bus.publish('a.b', { n: 1n } as object)).rejects.toBeInstanceOf(BusMessageError);
    await bus.close();
  });
});

describe('reconcileLagSeconds', () => {
  const now = new Date('2026-01-02T03:05:35.500Z');
  it.each<[string, Pick<Heartbeat, 'last_sweep_at'> | undefined, number]>([
    ['seconds since the last sweep', { last_sweep_at: '2026-01-02T03:04:05.000Z' }, 90.5],
    ['with an offset', { last_sweep_at: '2026-01-02T05:05:05.500+02:00' }, 30],
    ['0 when the agent clock is ahead', { last_sweep_at: '2026-01-02T03:06:00Z' }, 0],
    ['+Inf when never heard from', undefined, Number.POSITIVE_INFINITY],
    ['+Inf for an unreadable time', { last_sweep_at: 'soon' }, Number.POSITIVE_INFINITY],
  ])('%s', (_name, last, expected) => {
    expect(reconcileLagSeconds(last, now)).toBe(expected);
  });
});

describe('natsConnectionOptions', () => {
  it('reconnects forever with jitter and passes credentials', () => {
    const o = natsConnectionOptions({
      servers: ['nats://a:4222', 'nats://b:4222'],
      name: 'agent/c1',
      user: 'u',
      pass: 'p',
    });
    expect(o).toMatchObject({
      servers: ['nats://a:4222', 'nats://b:4222'],
      name: 'agent/c1',
      user: 'u',
      pass: 'p',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 2000,
      reconnectJitter: 1000,
      waitOnFirstConnect: false,
    });
    expect(o.authenticator).toBeUndefined();
    expect(natsConnectionOptions({ servers: 'nats://a', token: 't' }).token).toBe('t');
    const nkey = natsConnectionOptions({
      servers: 'nats://a',
      nkeySeed: new TextDecoder().decode(nkeys.createUser().getSeed()),
    });
    expect(Array.isArray(nkey.authenticator) && nkey.authenticator.length).toBe(1);
  });
});
