import { describe, expect, it } from 'vitest';
import { clusterSeriesText } from '../src/clusterSeries.ts';

describe('clusterSeriesText', () => {
  const now = new Date('2026-11-30T08:00:00Z');
  it('writes both gauges for every cluster: online within 30 s, lag since the last sweep, +Inf never heard', () => {
    const text = clusterSeriesText(
      [
        {
          id: 'a',
          last_check_in: new Date('2026-11-30T07:59:45Z'),
          last_sweep_at: new Date('2026-11-30T07:59:30Z'),
        },
        { id: 'b', last_check_in: new Date('2026-11-30T07:59:00Z'), last_sweep_at: null },
        { id: 'c', last_check_in: null, last_sweep_at: null },
      ],
      now,
    );
    expect(text.split('\n')).toEqual([
      '# HELP mooring_cluster_online 1 when the cluster’s agent checked in within the last 30 s, else 0',
      '# TYPE mooring_cluster_online gauge',
      'mooring_cluster_online{cluster_id="a"} 1',
      'mooring_cluster_online{cluster_id="b"} 0',
      'mooring_cluster_online{cluster_id="c"} 0',
      '',
      '# HELP mooring_native_engine_reconcile_loop_lag_seconds Seconds since the cluster’s last reconcile sweep finished (+Inf: never heard from)',
      '# TYPE mooring_native_engine_reconcile_loop_lag_seconds gauge',
      'mooring_native_engine_reconcile_loop_lag_seconds{cluster_id="a"} 30',
      'mooring_native_engine_reconcile_loop_lag_seconds{cluster_id="b"} +Inf',
      'mooring_native_engine_reconcile_loop_lag_seconds{cluster_id="c"} +Inf',
      '',
    ]);
  });

  it('escapes label values; no clusters is the two headers', () => {
    const text = clusterSeriesText([{ id: 'x"y\\z\nw', last_check_in: null, last_sweep_at: null }], now);
    expect(text).toContain('mooring_cluster_online{cluster_id="x\\"y\\\\z\\nw"} 0');
    expect(
      clusterSeriesText([], now)
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    ).toEqual([]);
  });
});
