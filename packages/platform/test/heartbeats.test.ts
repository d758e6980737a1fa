import type { HeartbeatMessage } from '@mooring/bus';
import { InProcessBus } from '@mooring/bus';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Gate, ingestConnections } from '../src/db/lanes.ts';
import { HeartbeatBatcher } from '../src/heartbeats/batcher.ts';
import { startHeartbeatConsumer } from '../src/heartbeats/consumer.ts';
import {
  pruneHeartbeatHistory,
  type ReceivedHeartbeat,
  recordHeartbeats,
} from '../src/heartbeats/queries.ts';
import { operationsFixture } from './support/operationsFixture.ts';

const hb = (cluster_id: string, at: string, addons = 3): HeartbeatMessage =>
  ({
    cluster_id,
    last_sweep_at: at,
    sweep_duration_seconds: 0.25,
    addons_inspected: addons,
  }) as HeartbeatMessage;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('heartbeats in batches', { timeout: 120_000 }, () => {
  it('stores a batch in one go: every heartbeat in the history, the newest per cluster as its last, unknown clusters dropped', async () => {
    const f = await operationsFixture(2);
    closers.push(() => f.db.destroy());
    const [a, b] = f.clusterIds as [string, string];
    const t = new Date('2026-11-29T12:00:00Z');
    const stored = await recordHeartbeats(f.db, [
      { heartbeat: hb(a, '2026-11-29T11:59:00Z', 1), receivedAt: t },
      { heartbeat: hb(a, '2026-11-29T11:59:30Z', 2), receivedAt: t },
      { heartbeat: hb(b, '2026-11-29T11:59:10Z', 5), receivedAt: t },
      { heartbeat: hb('no-such-cluster', '2026-11-29T11:59:10Z'), receivedAt: t },
    ]);
    expect([...stored].sort()).toEqual([a, b].sort());
    const history = await f.db
      .selectFrom('heartbeat_history')
      .select(['cluster_id', 'addons_inspected'])
      .execute();
    expect(history).toHaveLength(3);
    const last = await f.db
      .selectFrom('cluster_heartbeats')
      .select(['cluster_id', 'addons_inspected', 'last_sweep_at'])
      .orderBy('cluster_id')
      .execute();
    expect(Object.fromEntries(last.map((r) => [r.cluster_id, r.addons_inspected]))).toEqual({
      [a]: 2,
      [b]: 5,
    });
    // a later batch replaces the last heartbeat
    await recordHeartbeats(f.db, [{ heartbeat: hb(b, '2026-11-29T12:00:10Z', 7), receivedAt: t }]);
    const lastB = await f.db
      .selectFrom('cluster_heartbeats')
      .select('addons_inspected')
      .where('cluster_id', '=', b)
      .executeTakeFirstOrThrow();
    expect(lastB.addons_inspected).toBe(7);
  });

  it('prunes history received before the cut-off and keeps the rest', async () => {
    const f = await operationsFixture(1);
    closers.push(() => f.db.destroy());
    const id = f.clusterIds[0]!;
    const old = new Date('2026-11-28T00:00:00Z');
    const recent = new Date('2026-11-29T11:00:00Z');
    await recordHeartbeats(f.db, [
      { heartbeat: hb(id, '2026-11-28T00:00:00Z'), receivedAt: old },
      { heartbeat: hb(id, '2026-11-29T11:00:00Z'), receivedAt: recent },
    ]);
    expect(await pruneHeartbeatHistory(f.db, new Date('2026-11-29T00:00:00Z'))).toBe(1);
    const left = await f.db.selectFrom('heartbeat_history').select('received_at').execute();
    expect(left.map((r) => r.received_at.toISOString())).toEqual([recent.toISOString()]);
  });

  it('the consumer writes what the bus delivers in batches, and what is left when stopped', async () => {
    const f = await operationsFixture(3);
    closers.push(() => f.db.destroy());
    const bus = new InProcessBus();
    closers.push(() => bus.close());
    const batches: number[] = [];
    const stop = await startHeartbeatConsumer({
      bus,
      db: f.db,
      clock: () => new Date(),
      logger: pino({ level: 'silent' }),
      flushMs: 60_000,
      maxBatch: 4,
      time: async (_consumer, handle) => {
        const r = (await handle()) as Set<string>;
        batches.push(r.size);
        return r as never;
      },
    });
    for (let i = 0; i < 5; i++) {
      const id = f.clusterIds[i % 3]!;
      await bus.publish(
        `agent.heartbeat.native_reconcile.${id}`,
        hb(id, new Date(Date.now() + i).toISOString()),
      );
    }
    // four make a full batch at once; the fifth waits for the flush (60 s) or the stop
    await expect.poll(() => batches.length).toBe(1);
    await stop();
    expect(batches).toHaveLength(2);
    expect(await f.db.selectFrom('heartbeat_history').select('id').execute()).toHaveLength(5);
  });
});

describe('HeartbeatBatcher', () => {
  it('writes one batch at a time; what arrives during a write makes the next batch', async () => {
    const writes: ReceivedHeartbeat[][] = [];
    let release: () => void = () => undefined;
    const batcher = new HeartbeatBatcher({
      flushMs: 5,
      write: async (batch) => {
        writes.push(batch);
        await new Promise<void>((r) => {
          release = r;
        });
        return new Set(batch.map((b) => b.heartbeat.cluster_id));
      },
    });
    batcher.add(hb('a', '2026-11-29T12:00:00Z'), new Date());
    await expect.poll(() => writes.length).toBe(1);
    batcher.add(hb('b', '2026-11-29T12:00:01Z'), new Date());
    batcher.add(hb('c', '2026-11-29T12:00:02Z'), new Date());
    await new Promise((r) => setTimeout(r, 30));
    expect(writes).toHaveLength(1);
    release();
    await expect.poll(() => writes.length).toBe(2);
    expect(writes[1]!.map((w) => w.heartbeat.cluster_id)).toEqual(['b', 'c']);
    release();
    await batcher.flush();
    expect(batcher.pending).toBe(0);
  });

  it('reports a failed write and goes on with the next batch', async () => {
    const errors: number[] = [];
    let fail = true;
    const written: string[] = [];
    const batcher = new HeartbeatBatcher({
      flushMs: 1,
      write: async (batch) => {
        if (fail) {
          fail = false;
          throw new Error('database down');
        }
        written.push(...batch.map((b) => b.heartbeat.cluster_id));
        return new Set(written);
      },
      onError: (_err, batch) => errors.push(batch.length),
    });
    batcher.add(hb('a', '2026-11-29T12:00:00Z'), new Date());
    await expect.poll(() => errors).toEqual([1]);
    batcher.add(hb('b', '2026-11-29T12:00:01Z'), new Date());
    await batcher.flush();
    expect(written).toEqual(['b']);
  });
});

describe('pool lanes', () => {
  it('a gate lets `limit` in and the rest in arrival order', async () => {
    const gate = new Gate(2);
    await gate.enter();
    await gate.enter();
    const order: number[] = [];
    const third = gate.enter().then(() => order.push(3));
    const fourth = gate.enter().then(() => order.push(4));
    await new Promise((r) => setTimeout(r, 5));
    expect(gate.waiting).toBe(2);
    gate.leave();
    await third;
    expect(order).toEqual([3]);
    gate.leave();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(gate.held).toBe(2);
    gate.leave();
    gate.leave();
    expect(gate.held).toBe(0);
    expect(() => new Gate(0)).toThrow(/limit ≥ 1/);
  });

  it('lets the ingest lane hold a third of the pool (at least one connection)', () => {
    expect([1, 2, 4, 10, 20, 40].map(ingestConnections)).toEqual([1, 1, 1, 3, 7, 13]);
  });
});
