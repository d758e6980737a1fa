import { type CommandEnvelope, InProcessBus } from '@mooring/bus';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandlerOutput } from '../src/commands.ts';
import { CommandDispatcher } from '../src/dispatcher.ts';
import type { CommandHandler } from '../src/handlers.ts';
import { IdempotencyRecord } from '../src/idempotency.ts';
import { silentLogger } from '../src/logger.ts';
import { AgentMetrics } from '../src/metrics.ts';
import type { CommandResult } from '../src/results.ts';

const CLUSTER = 'c1';
let n = 0;
const cmd = (kind: string, key?: string): CommandEnvelope => ({
  id: `cmd-${++n}`,
  kind,
  cluster_id: CLUSTER,
  issued_at: new Date().toISOString(),
  payload: {},
  ...(key ? { idempotency_key: key } : {}),
});
const work = (message: string) => ({
  output: { ok: true, outcome: 'ok', message } as HandlerOutput,
  finishedAt: new Date().toISOString(),
  durationSeconds: 1,
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('IdempotencyRecord', () => {
  it('run, then wait while running, then replay once finished', async () => {
    const r = new IdempotencyRecord(10);
    expect(r.decide('k').action).toBe('run');
    r.begin('k');
    const d = r.decide('k');
    expect(d.action).toBe('wait');
    r.finish('k', work('done'));
    if (d.action === 'wait') expect((await d.running)?.output.message).toBe('done');
    const again = r.decide('k');
    expect(again.action).toBe('replay');
  });

  it('an abandoned run may run again, and the waiting repeat learns it', async () => {
    const r = new IdempotencyRecord(10);
    r.begin('k');
    const d = r.decide('k');
    r.abandon('k');
    if (d.action !== 'wait') throw new Error('expected wait');
    expect(await d.running).toBeUndefined();
    expect(r.decide('k').action).toBe('run');
  });

  it('keeps at most `capacity` finished keys, dropping the least recently used', () => {
    const r = new IdempotencyRecord(2);
    r.finish('a', work('a'));
    r.finish('b', work('b'));
    expect(r.decide('a').action).toBe('replay'); // a is now the most recent
    r.finish('c', work('c'));
    expect(r.size).toBe(2);
    expect(r.decide('b').action).toBe('run');
    expect(r.decide('a').action).toBe('replay');
    expect(r.decide('c').action).toBe('replay');
    expect(() => new IdempotencyRecord(0)).toThrow(RangeError);
  });
});

describe('CommandDispatcher with idempotency keys', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function setup(handler: CommandHandler, publish?: (r: CommandResult) => Promise<void>) {
    const bus = new InProcessBus();
    const results: CommandResult[] = [];
    const d = new CommandDispatcher({
      clusterId: CLUSTER,
      queue: bus.commands(CLUSTER),
      handlers: { w: handler },
      pools: { w: 'write' },
      maxInFlight: 10,
      readWorkers: 5,
      writeWorkers: 5,
      publish: async (r) => {
        await publish?.(r);
        results.push(r);
      },
      metrics: new AgentMetrics(CLUSTER),
      logger: silentLogger(),
      pollMs: 50,
      retryDelayMs: 20,
    });
    d.start();
    cleanups.push(async () => {
      await d.stop(1000);
      await bus.close();
    });
    return { queue: bus.commands(CLUSTER), results };
  }

  it('a finished key sent again (a new command id) is answered with the kept result, not run again', async () => {
    let runs = 0;
    const { queue, results } = setup(async () => {
      runs++;
      return { ok: true, outcome: 'ok', message: `run ${runs}` };
    });
    const first = cmd('w', 'op-1:step-1');
    await queue.send(first);
    await waitFor(() => results.length === 1);
    const again = cmd('w', 'op-1:step-1');
    await queue.send(again);
    await waitFor(() => results.length === 2);
    expect(runs).toBe(1);
    expect(results.map((r) => [r.command_id, r.idempotency_key, r.message])).toEqual([
      [first.id, 'op-1:step-1', 'run 1'],
      [again.id, 'op-1:step-1', 'run 1'],
    ]);
    expect(results[1]?.finished_at).toBe(results[0]?.finished_at);
  });

  it('a repeat arriving while the work runs waits for it and runs nothing', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const { queue, results } = setup(async () => {
      runs++;
      await new Promise<void>((r) => {
        release = r;
      });
      return { ok: true, outcome: 'ok', message: 'slow' };
    });
    await queue.send(cmd('w', 'k-slow'));
    await waitFor(() => runs === 1);
    await queue.send(cmd('w', 'k-slow'));
    await new Promise((r) => setTimeout(r, 100));
    expect(results).toHaveLength(0);
    release();
    await waitFor(() => results.length === 2);
    expect(runs).toBe(1);
  });

  it('a result that could not be published is re-published on redelivery without running again', async () => {
    let runs = 0;
    let failPublish = true;
    const { queue, results } = setup(
      async () => {
        runs++;
        return { ok: true, outcome: 'ok', message: 'once' };
      },
      async () => {
        if (failPublish) {
          failPublish = false;
          throw new Error('bus down');
        }
      },
    );
    await queue.send(cmd('w', 'k-pub'));
    await waitFor(() => results.length === 1);
    expect(runs).toBe(1);
    expect(results[0]?.message).toBe('once');
  });

  it('commands without a key run every time', async () => {
    let runs = 0;
    const { queue, results } = setup(async () => {
      runs++;
      return { ok: true, outcome: 'ok', message: 'x' };
    });
    await queue.send(cmd('w'));
    await queue.send(cmd('w'));
    await waitFor(() => results.length === 2);
    expect(runs).toBe(2);
  });
});
