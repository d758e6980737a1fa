import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import {
  type ScheduleCandidate,
  spreadOffsets,
  sweepDecision,
  sweepsDue,
  tickMs,
} from '../src/scheduler/decide.ts';
import { type LeaderLock, soleLeader } from '../src/scheduler/leader.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { operationsFixture } from './support/operationsFixture.ts';

const NOW = new Date('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
const candidate = (o: Partial<ScheduleCandidate>): ScheduleCandidate => ({
  id: 'c',
  lastCheckIn: ago(5),
  lastSweepCreatedAt: null,
  sweepActive: false,
  ...o,
});

describe('sweep decisions', () => {
  const cases: [string, Partial<ScheduleCandidate>, ReturnType<typeof sweepDecision>][] = [
    ['online, never swept: due', {}, 'due'],
    ['online, swept 60 s ago: due', { lastSweepCreatedAt: ago(60) }, 'due'],
    ['online, swept 59 s ago: not due', { lastSweepCreatedAt: ago(59) }, 'not_due'],
    ['a sweep under way: none more', { lastSweepCreatedAt: ago(600), sweepActive: true }, 'sweep_active'],
    ['checked in 31 s ago: offline', { lastCheckIn: ago(31) }, 'offline'],
    ['never checked in: offline', { lastCheckIn: null }, 'offline'],
  ];
  for (const [name, c, want] of cases) {
    it(name, () => expect(sweepDecision(candidate(c), NOW, 60)).toBe(want));
  }

  it('picks the due clusters; looks often enough to take over quickly', () => {
    expect(
      sweepsDue(
        [
          candidate({ id: 'a' }),
          candidate({ id: 'b', lastCheckIn: null }),
          candidate({ id: 'c', lastSweepCreatedAt: ago(61) }),
        ],
        NOW,
        60,
      ),
    ).toEqual(['a', 'c']);
    expect(tickMs(60)).toBe(5000);
    expect(tickMs(1)).toBe(250);
    expect(tickMs(0.1)).toBe(200);
  });

  it('spreads the due sweeps of a look evenly over its window', () => {
    expect(spreadOffsets(0, 4000)).toEqual([]);
    expect(spreadOffsets(1, 4000)).toEqual([0]);
    expect(spreadOffsets(4, 4000)).toEqual([0, 1000, 2000, 3000]);
    expect(spreadOffsets(3, 1000)).toEqual([0, 333, 666]);
    expect(spreadOffsets(3, 0)).toEqual([0, 0, 0]);
  });

  it('MOORING_SWEEP_INTERVAL_SECONDS: 60 by default, a whole number from 1', () => {
    expect(loadConfig({}).sweepIntervalSeconds).toBe(60);
    expect(loadConfig({ MOORING_SWEEP_INTERVAL_SECONDS: '5' }).sweepIntervalSeconds).toBe(5);
    expect(() => loadConfig({ MOORING_SWEEP_INTERVAL_SECONDS: '0' })).toThrow(
      /MOORING_SWEEP_INTERVAL_SECONDS/,
    );
    expect(() => loadConfig({ MOORING_METRICS_TOKEN: 'short' })).toThrow(/MOORING_METRICS_TOKEN/);
  });
});

describe('Scheduler on the embedded database', () => {
  let f: Awaited<ReturnType<typeof operationsFixture>>;
  beforeAll(async () => {
    f = await operationsFixture(0);
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  const scheduler = (lock: LeaderLock = soleLeader) =>
    new Scheduler({
      db: f.db,
      clock: f.clock,
      operations: f.operations,
      lock,
      logger: silent(),
      intervalSeconds: 60,
      instance: 'test-1',
    });

  it('sends a sweep to each online cluster once per interval, none while one is under way, none to offline ones', async () => {
    const online = await f.newCluster();
    const offline = await f.newCluster();
    await f.db.updateTable('clusters').set({ last_check_in: f.clock() }).where('id', '=', online).execute();
    const s = scheduler();
    expect(await s.tick()).toContain(online);
    const cmd = await f.bus.commands(online).next({ timeoutMs: 1000 });
    expect(cmd?.command).toMatchObject({ kind: 'sweep', cluster_id: online });
    await cmd?.ack();
    expect(await f.bus.commands(offline).next({ timeoutMs: 1000 })).toBeNull();
    // the sweep is running: no second one
    expect(await s.tick()).not.toContain(online);
    const [op] = (
      await f.operations.list(
        f.principal,
        { clusterId: online },
        { page: 1, pageSize: 10, sort: { field: 'created_at', direction: 'desc' } },
      )
    ).items;
    expect(op).toMatchObject({ type: 'sweep', created_by: 'scheduler@test-1', state: 'running' });
    await f.operations.handleResult(online, {
      command_id: cmd!.command.id,
      cluster_id: online,
      idempotency_key: cmd!.command.idempotency_key,
      kind: 'sweep',
      ok: true,
      outcome: 'ok',
      message: 'swept',
    });
    // finished, but the interval has not passed
    expect(await s.tick()).not.toContain(online);
    f.advance(61);
    await f.db.updateTable('clusters').set({ last_check_in: f.clock() }).where('id', '=', online).execute();
    expect(await s.tick()).toContain(online);
    expect(s.leader).toBe(true);
    await s.stop();
  });

  it('spreads the due sweeps of one look over its window; stopping mid-look starts no more', async () => {
    const cs = [await f.newCluster(), await f.newCluster(), await f.newCluster()];
    for (const c of cs) {
      await f.db.updateTable('clusters').set({ last_check_in: f.clock() }).where('id', '=', c).execute();
    }
    const s = scheduler();
    const t0 = performance.now();
    const swept = await s.tick({ spreadMs: 900 });
    const took = performance.now() - t0;
    for (const c of cs) expect(swept).toContain(c);
    // the last of three starts 600 ms into the 900 ms window
    expect(took).toBeGreaterThanOrEqual(590);
    for (const c of cs) await (await f.bus.commands(c).next({ timeoutMs: 1000 }))?.ack();

    const more = [await f.newCluster(), await f.newCluster()];
    f.advance(61);
    for (const c of [...cs, ...more]) {
      await f.db.updateTable('clusters').set({ last_check_in: f.clock() }).where('id', '=', c).execute();
    }
    const look = s.tick({ spreadMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300));
    const s0 = performance.now();
    await s.stop();
    expect(performance.now() - s0).toBeLessThan(2000);
    // the first of the two due sweeps started at once, the second (30 s into the window) never did
    expect(await look).toHaveLength(1);
  });

  it('a replica that does not hold the lock schedules nothing', async () => {
    const c = await f.newCluster();
    await f.db.updateTable('clusters').set({ last_check_in: f.clock() }).where('id', '=', c).execute();
    let released = false;
    const s = scheduler({
      tryAcquire: async () => false,
      release: async () => {
        released = true;
      },
    });
    expect(await s.tick()).toEqual([]);
    expect(s.leader).toBe(false);
    await s.stop();
    expect(released).toBe(true);
  });
});

function silent() {
  return { child: () => silent(), info() {}, warn() {}, debug() {}, error() {} } as never;
}
