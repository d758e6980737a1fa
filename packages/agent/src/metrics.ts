import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a command ended: `ok`, `failed` (ran, reported a failure), `invalid` (bad payload or definition), `unknown_kind`, `crashed` (threw; redelivered). */
export type CommandOutcome = 'ok' | 'failed' | 'invalid' | 'unknown_kind' | 'crashed';

/** What the agent counts, in a registry of its own (never prom-client's global one). */
export class AgentMetrics {
  readonly registry: Registry;
  readonly sweeps: Counter<'cluster_id'>;
  readonly sweepDuration: Histogram<'cluster_id'>;
  readonly addonsInspected: Gauge<'cluster_id'>;
  readonly lastSweep: Gauge<'cluster_id'>;
  readonly commands: Counter<'cluster_id' | 'kind' | 'outcome'>;
  readonly commandDuration: Histogram<'cluster_id' | 'kind'>;
  readonly commandsRunning: Gauge<'cluster_id' | 'pool'>;
  readonly helmCalls: Counter<'cluster_id' | 'source'>;
  readonly apiReachable: Gauge<'cluster_id'>;
  readonly clusterId: string;

  constructor(clusterId: string) {
    this.clusterId = clusterId;
    this.registry = new Registry();
    const registers = [this.registry];
    this.sweeps = new Counter({
      name: 'mooring_agent_sweeps_total',
      help: 'Full reconcile sweeps completed.',
      labelNames: ['cluster_id'],
      registers,
    });
    this.sweepDuration = new Histogram({
      name: 'mooring_agent_sweep_duration_seconds',
      help: 'Duration of full reconcile sweeps.',
      labelNames: ['cluster_id'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.addonsInspected = new Gauge({
      name: 'mooring_agent_sweep_addons_inspected',
      help: 'Add-ons inspected by the last full sweep.',
      labelNames: ['cluster_id'],
      registers,
    });
    this.lastSweep = new Gauge({
      name: 'mooring_agent_last_sweep_timestamp_seconds',
      help: 'Unix time the last full sweep finished.',
      labelNames: ['cluster_id'],
      registers,
    });
    this.commands = new Counter({
      name: 'mooring_agent_commands_total',
      help: 'Commands handled, by kind and outcome.',
      labelNames: ['cluster_id', 'kind', 'outcome'],
      registers,
    });
    this.commandDuration = new Histogram({
      name: 'mooring_agent_command_duration_seconds',
      help: 'Time from taking a command to settling it.',
      labelNames: ['cluster_id', 'kind'],
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900],
      registers,
    });
    this.commandsRunning = new Gauge({
      name: 'mooring_agent_commands_running',
      help: 'Commands running now, by worker pool.',
      labelNames: ['cluster_id', 'pool'],
      registers,
    });
    this.helmCalls = new Counter({
      name: 'mooring_agent_helm_calls_total',
      help: 'Helm CLI invocations, by what caused them (apply or sweep).',
      labelNames: ['cluster_id', 'source'],
      registers,
    });
    this.apiReachable = new Gauge({
      name: 'mooring_agent_kubernetes_api_reachable',
      help: '1 while the cluster’s API server answers the agent’s probe (GET /version every 5 s), 0 while it does not.',
      labelNames: ['cluster_id'],
      registers,
    });
    this.apiReachable.set({ cluster_id: clusterId }, 1);
  }

  /** Records whether the API server answers. */
  kubernetesApi(reachable: boolean): void {
    this.apiReachable.set({ cluster_id: this.clusterId }, reachable ? 1 : 0);
  }

  /** Records a full sweep. */
  sweep(r: { durationSeconds: number; addonsInspected: number; helmCalls: number; finishedAt: Date }): void {
    const l = { cluster_id: this.clusterId };
    this.sweeps.inc(l);
    this.sweepDuration.observe(l, r.durationSeconds);
    this.addonsInspected.set(l, r.addonsInspected);
    this.lastSweep.set(l, r.finishedAt.getTime() / 1000);
    if (r.helmCalls > 0) this.helmCalls.inc({ ...l, source: 'sweep' }, r.helmCalls);
  }

  command(kind: string, outcome: CommandOutcome, durationSeconds: number): void {
    this.commands.inc({ cluster_id: this.clusterId, kind, outcome });
    this.commandDuration.observe({ cluster_id: this.clusterId, kind }, durationSeconds);
  }

  running(pool: string, delta: number): void {
    this.commandsRunning.inc({ cluster_id: this.clusterId, pool }, delta);
  }

  helm(source: 'apply' | 'sweep', calls: number): void {
    if (calls > 0) this.helmCalls.inc({ cluster_id: this.clusterId, source }, calls);
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
