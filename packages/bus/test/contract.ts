// The bus contract: one suite, run against every implementation (in-process and NATS).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Bus,
  BusClosedError,
  BusHeartbeatPublisher,
  type BusMessage,
  BusMessageError,
  BusSubjectError,
  BusTimeoutError,
  type CommandEnvelope,
  HEARTBEAT_SUBJECTS,
  type HeartbeatMessage,
  heartbeatSchema,
  heartbeatSubject,
  NoRespondersError,
  type ReceivedCommand,
  reconcileLagSeconds,
} from '../src/index.ts';

/** What the suite needs of an implementation. Every connection's command ack wait is ACK_WAIT_MS. */
export interface BusImplementation {
  name: string;
  /** Prepares the backend (once). */
  setup?(): Promise<void>;
  /** A new connection to the shared backend: the platform's or an agent's. */
  connect(): Promise<Bus>;
  /** Puts text on a subject as-is, past the sender's encoding and validation. */
  publishRaw(bus: Bus, subject: string, text: string): Promise<void>;
  /** Puts text into a cluster's command queue as-is. */
  enqueueRaw(bus: Bus, clusterId: string, text: string): Promise<void>;
}

export const ACK_WAIT_MS = 1000;

const uid = () => Math.random().toString(36).slice(2, 10);

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function command(clusterId: string, kind = 'sync', payload: Record<string, unknown> = {}): CommandEnvelope {
  return { id: `cmd-${uid()}`, kind, cluster_id: clusterId, issued_at: new Date().toISOString(), payload };
}

function heartbeat(clusterId: string, over: Partial<HeartbeatMessage> = {}): HeartbeatMessage {
  return {
    cluster_id: clusterId,
    last_sweep_at: new Date().toISOString(),
    sweep_duration_seconds: 1.25,
    addons_inspected: 7,
    ...over,
  };
}

export function busContract(impl: BusImplementation): void {
  describe(`bus contract: ${impl.name}`, () => {
    const open: Bus[] = [];
    const connect = async () => {
      const b = await impl.connect();
      open.push(b);
      return b;
    };
    beforeAll(async () => {
      await impl.setup?.();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    describe('publish / subscribe', () => {
      it('delivers by subject with * and > wildcards, in order, across connections', async () => {
        const [a, b] = await Promise.all([connect(), connect()]);
        const p = `t${uid()}`;
        const star: BusMessage[] = [];
        const tail: BusMessage[] = [];
        const exact: BusMessage[] = [];
        await b.subscribe(`${p}.*.events`, (m) => void star.push(m));
        await b.subscribe(`${p}.>`, (m) => void tail.push(m));
        await b.subscribe(`${p}.one.events`, (m) => void exact.push(m));
        await a.publish(`${p}.one.events`, { n: 1 });
        await a.publish(`${p}.two.events`, { n: 2 });
        await a.publish(`${p}.two.events.deep`, { n: 3 });
        await a.publish(`${p}x.one.events`, { n: 4 });
        await waitFor(() => tail.length === 3, 5000, 'three messages on >');
        await sleep(100);
        expect(star.map((m) => [m.subject, m.data])).toEqual([
          [`${p}.one.events`, { n: 1 }],
          [`${p}.two.events`, { n: 2 }],
        ]);
        expect(tail.map((m) => (m.data as { n: number }).n)).toEqual([1, 2, 3]);
        expect(exact.map((m) => (m.data as { n: number }).n)).toEqual([1]);
        expect(star[0]?.reply).toBeUndefined();
      });

      it('stops delivering after unsubscribe', async () => {
        const [a, b] = await Promise.all([connect(), connect()]);
        const s = `t${uid()}.x`;
        const got: unknown[] = [];
        const unsub = await b.subscribe(s, (m) => void got.push(m.data));
        await a.publish(s, { n: 1 });
        await waitFor(() => got.length === 1);
        await unsub();
        await a.publish(s, { n: 2 });
        await sleep(200);
        expect(got).toEqual([{ n: 1 }]);
      });

      it('gives each message to one member of a queue group', async () => {
        const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
        const s = `t${uid()}.work`;
        const byB: number[] = [];
        const byC: number[] = [];
        await b.subscribe(s, (m) => void byB.push((m.data as { n: number }).n), { queue: 'workers' });
        await c.subscribe(s, (m) => void byC.push((m.data as { n: number }).n), { queue: 'workers' });
        for (let n = 0; n < 20; n++) await a.publish(s, { n });
        await waitFor(() => byB.length + byC.length === 20);
        await sleep(100);
        expect([...byB, ...byC].sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
      });

      it('rejects concrete subjects with wildcards and invalid patterns', async () => {
        const a = await connect();
        await expect(a.publish('t.*', {})).rejects.toBeInstanceOf(BusSubjectError);
        await expect(a.publish('t..x', {})).rejects.toBeInstanceOf(BusSubjectError);
        await expect(a.subscribe('t.>.x', () => {})).rejects.toBeInstanceOf(BusSubjectError);
        await expect(a.request('t.>', {})).rejects.toBeInstanceOf(BusSubjectError);
        expect(() => a.commands('a.b')).toThrow(BusSubjectError);
        expect(() => heartbeatSubject('*')).toThrow(BusSubjectError);
      });
    });

    describe('invalid messages', () => {
      it('reports a non-JSON or schema-failing message as BusMessageError and keeps the subscription', async () => {
        const [a, b] = await Promise.all([connect(), connect()]);
        const id = `c${uid()}`;
        const subject = heartbeatSubject(id);
        const got: HeartbeatMessage[] = [];
        const errors: unknown[] = [];
        await b.subscribe<HeartbeatMessage>(HEARTBEAT_SUBJECTS, (m) => void got.push(m.data), {
          onError: (e) => errors.push(e),
        });
        await impl.publishRaw(a, subject, '{not json');
        await impl.publishRaw(a, subject, JSON.stringify(heartbeat(id, { addons_inspected: -1 })));
        await impl.publishRaw(a, subject, JSON.stringify(heartbeat('someone-else')));
        await a.publish(subject, heartbeat(id, { addons_inspected: 3 }));
        await waitFor(() => got.length === 1 && errors.length === 3);
        expect(got[0]?.addons_inspected).toBe(3);
        for (const e of errors) {
          expect(e).toBeInstanceOf(BusMessageError);
          expect((e as BusMessageError).subject).toBe(subject);
        }
        const [notJson, negative, spoofed] = errors as BusMessageError[];
        expect(notJson?.message).toMatch(/not JSON/);
        expect(negative?.issues.map((i) => i.path)).toEqual(['addons_inspected']);
        expect(negative?.message).toContain(subject);
        expect(negative?.message).toContain('addons_inspected');
        expect(spoofed?.issues.map((i) => i.path)).toEqual(['cluster_id']);
      });

      it('validates with a schema given to subscribe, and survives a throwing handler', async () => {
        const [a, b] = await Promise.all([connect(), connect()]);
        const s = `t${uid()}.hb`;
        const got: number[] = [];
        const errors: unknown[] = [];
        await b.subscribe(
          s,
          (m) => {
            if (m.data.addons_inspected === 13) throw new Error('unlucky');
            got.push(m.data.addons_inspected);
          },
          { schema: heartbeatSchema, onError: (e) => errors.push(e) },
        );
        await a.publish(s, { cluster_id: 'x', last_sweep_at: 'yesterday' });
        await a.publish(s, heartbeat('x', { addons_inspected: 13 }));
        await a.publish(s, heartbeat('x', { addons_inspected: 2 }));
        await waitFor(() => got.length === 1 && errors.length === 2);
        expect(got).toEqual([2]);
        const invalid = errors[0] as BusMessageError;
        expect(invalid).toBeInstanceOf(BusMessageError);
        expect(invalid.issues.map((i) => i.path).sort()).toEqual([
          'addons_inspected',
          'last_sweep_at',
          'sweep_duration_seconds',
        ]);
        expect((errors[1] as Error).message).toBe('unlucky');
      });

      it('refuses to publish a payload that fails its subject schema', async () => {
        const a = await connect();
        const id = `c${uid()}`;
        const err = await a
          .publish(heartbeatSubject(id), heartbeat(id, { sweep_duration_seconds: -2 }))
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BusMessageError);
        expect((err as BusMessageError).issues[0]?.path).toBe('sweep_duration_seconds');
      });
    });

    describe('request / reply', () => {
      it('returns the reply payload', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const s = `t${uid()}.rpc`;
        await agent.subscribe<{ q: string }>(s, (m) => m.reply?.({ answer: `${m.data.q}!` }));
        await expect(platform.request(s, { q: 'ping' }, { timeoutMs: 2000 })).resolves.toEqual({
          answer: 'ping!',
        });
      });

      it('validates the reply with the schema given', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const s = `t${uid()}.rpc`;
        await agent.subscribe(s, (m) => m.reply?.({ cluster_id: 'x' }));
        const err = await platform
          .request(s, {}, { timeoutMs: 2000, schema: heartbeatSchema })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BusMessageError);
        expect((err as BusMessageError).issues.map((i) => i.path)).toContain('last_sweep_at');
      });

      it('times out with BusTimeoutError when the responder never replies', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const s = `t${uid()}.slow`;
        await agent.subscribe(s, () => {});
        const t = Date.now();
        const err = await platform.request(s, {}, { timeoutMs: 300 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BusTimeoutError);
        expect((err as BusTimeoutError).subject).toBe(s);
        expect((err as BusTimeoutError).timeoutMs).toBe(300);
        expect(Date.now() - t).toBeGreaterThanOrEqual(250);
      });

      it('fails at once with NoRespondersError when nobody listens', async () => {
        const platform = await connect();
        const s = `t${uid()}.nobody`;
        const t = Date.now();
        const err = await platform.request(s, {}, { timeoutMs: 5000 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NoRespondersError);
        expect((err as NoRespondersError).subject).toBe(s);
        expect(Date.now() - t).toBeLessThan(2000);
      });
    });

    describe('durable commands', () => {
      it('delivers a sent command; ack removes it', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const id = `c${uid()}`;
        const cmd = command(id, 'sync', { stack: 'base' });
        await platform.commands(id).send(cmd);
        const got = await agent.commands(id).next({ timeoutMs: 3000 });
        expect(got?.command).toEqual(cmd);
        expect(got?.deliveryCount).toBe(1);
        await got?.ack();
        expect(await agent.commands(id).next({ timeoutMs: 1000 })).toBeNull();
        await sleep(ACK_WAIT_MS + 300);
        expect(await agent.commands(id).next({ timeoutMs: 1000 })).toBeNull();
      });

      it('a long poll delivers a command sent while it waits at once, and ends when aborted', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const id = `c${uid()}`;
        const q = agent.commands(id);
        await platform.commands(id).send(command(id, 'warm-up')); // creates the consumer
        await (await q.next({ timeoutMs: 3000 }))?.ack();
        const waiting = q.next({ timeoutMs: 60_000 });
        await sleep(300);
        const sent = Date.now();
        const cmd = command(id, 'sync');
        await platform.commands(id).send(cmd);
        const got = await waiting;
        expect(got?.command).toEqual(cmd);
        expect(Date.now() - sent).toBeLessThan(1000);
        await got?.ack();
        const stop = new AbortController();
        const idle = q.next({ timeoutMs: 60_000, signal: stop.signal });
        await sleep(300);
        const aborted = Date.now();
        stop.abort();
        expect(await idle).toBeNull();
        expect(Date.now() - aborted).toBeLessThan(1000);
        // the aborted poll took nothing: the next command goes to the next poll
        const after = command(id, 'after');
        await platform.commands(id).send(after);
        const next = await q.next({ timeoutMs: 3000 });
        expect(next?.command).toEqual(after);
        await next?.ack();
      });

      it('redelivers after nak, with a growing delivery count, in order', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const id = `c${uid()}`;
        const q = agent.commands(id);
        const first = command(id, 'first');
        const second = command(id, 'second');
        await platform.commands(id).send(first);
        await platform.commands(id).send(second);
        const a = await q.next({ timeoutMs: 3000 });
        expect(a?.command.id).toBe(first.id);
        await a?.nak();
        const b = await q.next({ timeoutMs: 3000 });
        expect(b?.command.id).toBe(first.id);
        expect(b?.deliveryCount).toBe(2);
        await b?.ack();
        const c = await q.next({ timeoutMs: 3000 });
        expect(c?.command.id).toBe(second.id);
        expect(c?.deliveryCount).toBe(1);
        await c?.ack();
      });

      it('redelivers a command not acked within the ack wait; working() holds it', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const id = `c${uid()}`;
        const q = agent.commands(id);
        await platform.commands(id).send(command(id));
        const a = await q.next({ timeoutMs: 3000 });
        expect(a?.deliveryCount).toBe(1);
        // keep it alive for two ack waits: nothing is redelivered meanwhile
        const keepAlive = setInterval(() => void a?.working(), ACK_WAIT_MS / 4);
        try {
          expect(await q.next({ timeoutMs: ACK_WAIT_MS * 2 })).toBeNull();
        } finally {
          clearInterval(keepAlive);
        }
        // then stop signalling: it comes back
        const b = await q.next({ timeoutMs: ACK_WAIT_MS * 4 });
        expect(b?.command.id).toBe(a?.command.id);
        expect(b?.deliveryCount).toBe(2);
        await b?.ack();
      });

      it('gives unacked commands to a consumer that reconnects', async () => {
        const platform = await connect();
        const id = `c${uid()}`;
        const cmd = command(id, 'upgrade');
        await platform.commands(id).send(cmd);
        const crashed = await connect();
        const taken = await crashed.commands(id).next({ timeoutMs: 3000 });
        expect(taken?.command.id).toBe(cmd.id);
        await crashed.close(); // never acked
        await expect(taken!.ack()).rejects.toBeInstanceOf(BusClosedError);
        const restarted = await connect();
        const again = await restarted.commands(id).next({ timeoutMs: ACK_WAIT_MS * 5 });
        expect(again?.command).toEqual(cmd);
        expect(again?.deliveryCount).toBe(2);
        await again?.ack();
      });

      it('queues commands for an agent that is not connected yet, and keeps clusters apart', async () => {
        const platform = await connect();
        const one = `c${uid()}`;
        const two = `c${uid()}`;
        await platform.commands(one).send(command(one, 'for-one'));
        await platform.commands(two).send(command(two, 'for-two'));
        const agent = await connect();
        const a = await agent.commands(two).next({ timeoutMs: 3000 });
        expect(a?.command.kind).toBe('for-two');
        await a?.ack();
        expect(await agent.commands(two).next({ timeoutMs: 1000 })).toBeNull();
        const b = await agent.commands(one).next({ timeoutMs: 3000 });
        expect(b?.command.kind).toBe('for-one');
        await b?.ack();
      });

      it('stores a repeated command id once', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const id = `c${uid()}`;
        const cmd = command(id);
        await platform.commands(id).send(cmd);
        await platform.commands(id).send(cmd);
        const a = await agent.commands(id).next({ timeoutMs: 3000 });
        await a?.ack();
        expect(await agent.commands(id).next({ timeoutMs: 1000 })).toBeNull();
      });

      it('rejects an invalid envelope or one for another cluster on send', async () => {
        const platform = await connect();
        const id = `c${uid()}`;
        const other = await platform
          .commands(id)
          .send(command('elsewhere'))
          .catch((e: unknown) => e);
        expect(other).toBeInstanceOf(BusMessageError);
        expect((other as BusMessageError).issues[0]?.path).toBe('cluster_id');
        const bad = await platform
          .commands(id)
          .send({ ...command(id), issued_at: 'now', payload: 'x' } as unknown as CommandEnvelope)
          .catch((e: unknown) => e);
        expect((bad as BusMessageError).issues.map((i) => i.path).sort()).toEqual(['issued_at', 'payload']);
      });

      it('consume: acks on success, retries a throwing handler, drops invalid envelopes', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const id = `c${uid()}`;
        const q = platform.commands(id);
        const first = command(id, 'first');
        const second = command(id, 'second');
        await q.send(first);
        await impl.enqueueRaw(platform, id, JSON.stringify({ id: 'x', kind: 'broken' }));
        await q.send(second);
        const seen: [string, number][] = [];
        const errors: unknown[] = [];
        let failedOnce = false;
        const consumer = agent.commands(id).consume(
          (cmd: ReceivedCommand) => {
            seen.push([cmd.command.kind, cmd.deliveryCount]);
            if (cmd.command.kind === 'second' && !failedOnce) {
              failedOnce = true;
              throw new Error('helm exploded');
            }
          },
          { onError: (e) => errors.push(e), retryDelayMs: 100 },
        );
        await waitFor(() => seen.length === 3, 10_000, 'three handler runs');
        await consumer.stop();
        expect(seen).toEqual([
          ['first', 1],
          ['second', 1],
          ['second', 2],
        ]);
        expect(errors).toHaveLength(2);
        expect(errors[0]).toBeInstanceOf(BusMessageError);
        expect((errors[0] as BusMessageError).subject).toBe(`agent.commands.${id}`);
        expect((errors[1] as Error).message).toBe('helm exploded');
        // everything was settled: nothing comes back after the ack wait
        await sleep(ACK_WAIT_MS + 300);
        expect(await agent.commands(id).next({ timeoutMs: 1000 })).toBeNull();
      });
    });

    describe('heartbeat', () => {
      it('round-trips the engine heartbeat through BusHeartbeatPublisher with validation', async () => {
        const [platform, agent] = await Promise.all([connect(), connect()]);
        const id = `c${uid()}`;
        const got: BusMessage<HeartbeatMessage>[] = [];
        await platform.subscribe<HeartbeatMessage>(HEARTBEAT_SUBJECTS, (m) => {
          if (m.data.cluster_id === id) got.push(m);
        });
        const hb = heartbeat(id, { last_sweep_at: new Date(Date.now() - 30_000).toISOString() });
        await new BusHeartbeatPublisher(agent).publish(hb);
        await waitFor(() => got.length === 1);
        expect(got[0]?.subject).toBe(`agent.heartbeat.native_reconcile.${id}`);
        expect(got[0]?.data).toEqual(hb);
        const lag = reconcileLagSeconds(got[0]?.data);
        expect(lag).toBeGreaterThanOrEqual(30);
        expect(lag).toBeLessThan(40);

        const err = await new BusHeartbeatPublisher(agent)
          .publish({ ...hb, addons_inspected: 1.5 })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BusMessageError);
        expect((err as BusMessageError).issues[0]?.path).toBe('addons_inspected');
        await expect(
          new BusHeartbeatPublisher(agent).publish({ ...hb, cluster_id: 'a.b' }),
        ).rejects.toBeInstanceOf(BusSubjectError);
      });
    });

    describe('status and close', () => {
      it('is connected until closed; then every operation fails with BusClosedError', async () => {
        const a = await connect();
        expect(a.status()).toBe('connected');
        await a.close();
        await waitFor(() => a.status() === 'closed', 2000, 'closed status');
        await expect(a.publish('t.x', {})).rejects.toBeInstanceOf(BusClosedError);
        await expect(a.subscribe('t.x', () => {})).rejects.toBeInstanceOf(BusClosedError);
        await expect(a.request('t.x', {})).rejects.toBeInstanceOf(BusClosedError);
        await expect(a.commands('c1').next()).rejects.toBeInstanceOf(BusClosedError);
        await a.close(); // idempotent
      });
    });
  });
}
