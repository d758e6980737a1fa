import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { readiness } from '../src/health.ts';
import { AgentMetrics } from '../src/metrics.ts';

describe('AgentMetrics', () => {
  it('renders sweeps, commands and helm calls in the Prometheus text format', async () => {
    const m = new AgentMetrics('c1');
    m.sweep({
      durationSeconds: 0.2,
      addonsInspected: 3,
      helmCalls: 1,
      finishedAt: new Date(1_700_000_000_000),
    });
    m.command('apply', 'ok', 1.5);
    m.command('apply', 'invalid', 0.01);
    m.command('sweep', 'ok', 0.2);
    m.helm('apply', 2);
    const text = await m.render();
    expect(m.contentType).toMatch(/^text\/plain/);
    expect(text).toContain('# TYPE mooring_agent_sweeps_total counter');
    expect(text).toContain('mooring_agent_sweeps_total{cluster_id="c1"} 1');
    expect(text).toContain('mooring_agent_sweep_addons_inspected{cluster_id="c1"} 3');
    expect(text).toContain('mooring_agent_last_sweep_timestamp_seconds{cluster_id="c1"} 1700000000');
    expect(text).toContain('mooring_agent_sweep_duration_seconds_bucket{le="0.25",cluster_id="c1"} 1');
    expect(text).toContain('mooring_agent_sweep_duration_seconds_count{cluster_id="c1"} 1');
    expect(text).toContain('mooring_agent_commands_total{cluster_id="c1",kind="apply",outcome="ok"} 1');
    expect(text).toContain('mooring_agent_commands_total{cluster_id="c1",kind="apply",outcome="invalid"} 1');
    expect(text).toContain('mooring_agent_commands_total{cluster_id="c1",kind="sweep",outcome="ok"} 1');
    expect(text).toContain('mooring_agent_helm_calls_total{cluster_id="c1",source="apply"} 2');
    expect(text).toContain('mooring_agent_helm_calls_total{cluster_id="c1",source="sweep"} 1');
  });

  it('keeps each agent in its own registry, never the global one', async () => {
    const a = new AgentMetrics('a');
    const b = new AgentMetrics('b');
    a.command('sweep', 'ok', 0.1);
    expect(await b.render()).not.toContain('cluster_id="a"');
    expect(await register.metrics()).not.toContain('mooring_agent');
  });
});

describe('readiness', () => {
  it.each([
    ['ready', { bus: 'connected', firstSweepDone: true, stopping: false }, true, undefined],
    [
      'bus reconnecting',
      { bus: 'reconnecting', firstSweepDone: true, stopping: false },
      false,
      'bus is reconnecting',
    ],
    [
      'no sweep yet',
      { bus: 'connected', firstSweepDone: false, stopping: false },
      false,
      'the first reconcile sweep has not finished',
    ],
    ['stopping', { bus: 'connected', firstSweepDone: true, stopping: true }, false, 'stopping'],
    [
      'API server unreachable',
      {
        bus: 'connected',
        firstSweepDone: true,
        stopping: false,
        kubernetes: { reachable: false, since: '2026-01-01T00:00:00.000Z', error: 'connect ECONNREFUSED' },
      },
      false,
      'the Kubernetes API server is unreachable since 2026-01-01T00:00:00.000Z',
    ],
    [
      'API server reachable',
      {
        bus: 'connected',
        firstSweepDone: true,
        stopping: false,
        kubernetes: { reachable: true, since: '2026-01-01T00:00:00.000Z' },
      },
      true,
      undefined,
    ],
  ] as const)('%s', (_name, input, ready, reason) => {
    const r = readiness(input);
    expect(r.ready).toBe(ready);
    expect(r.reason).toBe(reason);
  });
});
