/**
 * The heartbeat an agent publishes after every native-engine reconcile sweep, on
 * `agent.heartbeat.native_reconcile.{cluster_id}`. The platform turns it into
 * `mooring_native_engine_reconcile_loop_lag_seconds{cluster_id}`.
 */
export interface NativeReconcileHeartbeat {
  cluster_id: string;
  /** ISO 8601 time the sweep finished. */
  last_sweep_at: string;
  sweep_duration_seconds: number;
  addons_inspected: number;
}

/** Where heartbeats go: the bus in the agent, a log or a test in the CLI. */
export interface HeartbeatPublisher {
  publish(hb: NativeReconcileHeartbeat): Promise<void> | void;
}
