import type { NativeReconcileHeartbeat as Heartbeat, HeartbeatPublisher } from '@mooring/core';
import { heartbeatSchema, parseWith } from './schemas.ts';
import { heartbeatSubject } from './subjects.ts';
import type { Bus } from './types.ts';

/** The engine's `HeartbeatPublisher` over the bus: validates, then publishes on `agent.heartbeat.native_reconcile.{cluster_id}`. */
export class BusHeartbeatPublisher implements HeartbeatPublisher {
  readonly #bus: Bus;
  constructor(bus: Bus) {
    this.#bus = bus;
  }

  async publish(hb: Heartbeat): Promise<void> {
    const subject = heartbeatSubject(hb.cluster_id);
    await this.#bus.publish(subject, parseWith(subject, hb, heartbeatSchema));
  }
}

/**
 * Seconds since the cluster's last sweep finished: the platform's
 * `mooring_native_engine_reconcile_loop_lag_seconds{cluster_id}`. Never negative (a clock
 * ahead of the platform's counts as 0); `+Infinity` when no heartbeat was ever received or
 * its time is unreadable, so an alert on a threshold fires for a cluster never heard from.
 */
export function reconcileLagSeconds(
  lastHeartbeat: Pick<Heartbeat, 'last_sweep_at'> | undefined | null,
  now: Date = new Date(),
): number {
  if (!lastHeartbeat) return Number.POSITIVE_INFINITY;
  const at = Date.parse(lastHeartbeat.last_sweep_at);
  if (Number.isNaN(at)) return Number.POSITIVE_INFINITY;
  return Math.max(0, (now.getTime() - at) / 1000);
}
