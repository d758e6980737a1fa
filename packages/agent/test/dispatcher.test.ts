import { type CommandEnvelope, InProcessBus } from '@mooring/bus';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandlerOutput } from '../src/commands.ts';
import { CommandDispatcher } from '../src/dispatcher.ts';
import type { CommandHandler } from '../src/handlers.ts';
import { silentLogger } from '../src/logger.ts';
import { AgentMetrics } from '../src/metrics.ts';
import type { CommandResult } from '../src/results.ts';

const CLUSTER = 'c1';
let n = 0;
const cmd = (kind: string, payload: Record<string, unknown> = {}): CommandEnvelope => ({
  id: `cmd-${++n}`,
  kind,
  cluster_id: CLUSTER,
  issued_at: new Date().toISOString(),
  payload,
});
const ok: HandlerOutput = { ok: true, outcome: 'ok', message: 'done' };

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(
  handlers: Record<string, CommandHandler>,
  o: { write?: number; inFlight?: number; pollMs?: number } = {},
) {
  const bus = new InProcessBus();
  const results: CommandResult[] = [];
  const metrics = new AgentMetrics(CLUSTER);
  const d = new CommandDispatcher({
    clusterId: CLUSTER,
    queue: bus.commands(CLUSTER),
    handlers,
    pools: { w: 'write', r: 'read', crash: 'write' },
    maxInFlight: o.inFlight ?? 10,
    readWorkers: 5,
    writeWorkers: o.write ?? 2,
    publish: async (r) => {
      results.push(r);
    },
    metrics,
    logger: silentLogger(),
    pollMs: o.pollMs ?? 50,
    retryDelayMs: 20,
  });
  d.start();
  cleanups.push(async () => {
    await d.stop(1000);
    await bus.close();
  });
  return { bus, queue: bus.commands(CLUSTER), results, metrics, d };
}

describe('CommandDispatcher', () => {
  it('takes a command at once while a long poll waits, and stop() ends the poll without waiting for it', async () => {
    const { queue, results, d } = setup({ w: async () => ok }, { pollMs: 60_000 });
    await new Promise((r) => setTimeout(r, 50)); // the poll is waiting
    const sent = performance.now();
    await queue.send(cmd('w'));
    await waitFor(() => results.length === 1);
    expect(performance.now() - sent).toBeLessThan(1000);
    const stopping = performance.now();
    expect(await d.stop(5000)).toEqual({ abandoned: 0 });
    expect(performance.now() - stopping).toBeLessThan(1000);
  });

  it('runs write commands at most write_worker_count at a time, the rest wait', async () => {
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const { queue, results } = setup(
      {
        w: async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise<void>((r) => release.push(r));
          running--;
          return ok;
        },
      },
      { write: 2 },
    );
    for (let i = 0; i < 5; i++) await queue.send(cmd('w'));
    await waitFor(() => release.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(running).toBe(2);
    while (results.length < 5) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(peak).toBe(2);
    expect(results.every((r) => r.ok && r.cluster_id === CLUSTER && r.kind === 'w')).toBe(true);
  });

  it('acks only after the command finished: a crash is naked and delivered again', async () => {
    let calls = 0;
    const { queue, results, metrics } = setup({
      crash: async () => {
        calls++;
        if (calls === 1) throw new Error('unexpected');
        return ok;
      },
    });
    const c = cmd('crash');
    await queue.send(c);
    await waitFor(() => results.length === 1);
    expect(calls).toBe(2);
    expect(results[0]).toMatchObject({ command_id: c.id, ok: true });
    const text = await metrics.render();
    expect(text).toContain('mooring_agent_commands_total{cluster_id="c1",kind="crash",outcome="crashed"} 1');
    expect(text).toContain('mooring_agent_commands_total{cluster_id="c1",kind="crash",outcome="ok"} 1');
    // nothing left in the queue
    expect(await queue.next({ timeoutMs: 100 })).toBeNull();
  });

  it('answers an unknown kind with a result and acks it', async () => {
    const { queue, results } = setup({ w: async () => ok });
    await queue.send(cmd('frobnicate'));
    await waitFor(() => results.length === 1);
    expect(results[0]).toMatchObject({ ok: false, outcome: 'unknown_kind' });
    expect(results[0]?.message).toContain('frobnicate');
  });

  it('stop waits for running commands and takes no new ones', async () => {
    let finish: (() => void) | undefined;
    let started = 0;
    const { queue, results, d } = setup({
      w: async () => {
        started++;
        await new Promise<void>((r) => {
          finish = r;
        });
        return ok;
      },
    });
    await queue.send(cmd('w'));
    await waitFor(() => started === 1);
    const stopping = d.stop(5000);
    await queue.send(cmd('w'));
    await new Promise((r) => setTimeout(r, 150));
    finish?.();
    expect(await stopping).toEqual({ abandoned: 0 });
    expect(started).toBe(1);
    expect(results).toHaveLength(1);
  });

  it('stop gives up on commands still running at the deadline', async () => {
    const { queue, d } = setup({ w: () => new Promise<HandlerOutput>(() => {}) });
    await queue.send(cmd('w'));
    await waitFor(() => d.running === 1);
    expect(await d.stop(50)).toEqual({ abandoned: 1 });
  });
});
