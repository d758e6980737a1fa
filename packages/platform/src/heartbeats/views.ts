import { reconcileLagSeconds } from '@mooring/bus';
import { z } from 'zod';
import type { ClusterHeartbeatRow } from '../db/types.ts';

export const HEARTBEAT_SORT_FIELDS = ['received_at', 'last_sweep_at', 'sweep_duration_seconds'] as const;
export type HeartbeatSortField = (typeof HEARTBEAT_SORT_FIELDS)[number];

export const heartbeatSchema = z.object({
  last_sweep_at: z.string().describe('when the agent’s reconcile sweep finished'),
  sweep_duration_seconds: z.number(),
  addons_inspected: z.number().int(),
  received_at: z.string().describe('when the platform received the heartbeat'),
});
export type HeartbeatView = z.infer<typeof heartbeatSchema>;

export const latestHeartbeatSchema = heartbeatSchema
  .extend({
    reconcile_lag_seconds: z
      .number()
      .describe(
        'seconds since the last sweep finished (the mooring_native_engine_reconcile_loop_lag_seconds gauge)',
      ),
  })
  .nullable()
  .describe('the cluster’s last heartbeat; null when none was ever received');

type HeartbeatFields = Pick<
  ClusterHeartbeatRow,
  'last_sweep_at' | 'sweep_duration_seconds' | 'addons_inspected' | 'received_at'
>;

export function heartbeatView(r: HeartbeatFields): HeartbeatView {
  return {
    last_sweep_at: r.last_sweep_at.toISOString(),
    sweep_duration_seconds: r.sweep_duration_seconds,
    addons_inspected: r.addons_inspected,
    received_at: r.received_at.toISOString(),
  };
}

/** The last heartbeat with its reconcile lag at `now` (pure). */
export function latestView(r: HeartbeatFields | undefined, now: Date): z.infer<typeof latestHeartbeatSchema> {
  if (!r) return null;
  const view = heartbeatView(r);
  return { ...view, reconcile_lag_seconds: reconcileLagSeconds(view, now) };
}
