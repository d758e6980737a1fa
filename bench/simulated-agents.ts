// A worker process of bench/platform-agents.ts: many simulated agents speaking the real protocol.
// Each agent checks in over HTTP with its token (agent's `checkIn`, new bus credentials only when
// `needsBusCredentials`), connects to NATS with the answer's credentials (`NatsBus`), takes its
// commands with the agent's real `CommandDispatcher` (pulls, idempotency record, acks) and answers
// them on `agent.results.{id}`, and publishes a heartbeat every minute. Nothing runs in a cluster:
// a sweep is answered at once with the two members of the imported definition.
// Driven over IPC by the parent: `start`, `stats`, `stop`.
import {
  AgentMetrics,
  type CheckInBus,
  type CheckInReport,
  CommandDispatcher,
  checkIn,
  type HandlerOutput,
  type Logger,
  needsBusCredentials,
} from '@mooring/agent';
import { BusHeartbeatPublisher, type CommandEnvelope, NatsBus, resultSubject } from '@mooring/bus';

export interface SimulatedAgent {
  id: string;
  token: string;
  index: number;
}

export interface WorkerStart {
  type: 'start';
  platformUrl: string;
  agents: SimulatedAgent[];
  /** The first check-ins are spread over this long. */
  rampMs: number;
  checkInMs: number;
  heartbeatMs: number;
  /** How long one pull for a command waits (the agent's default: 1000 ms). */
  pollMs: number;
}

/** Cumulative counters, and the samples taken since the last report. */
export interface WorkerStats {
  type: 'stats';
  pid: number;
  connected: number;
  checkIns: number;
  checkInsWithCredentials: number;
  checkInErrors: number;
  heartbeats: number;
  heartbeatErrors: number;
  commands: Record<string, number>;
  resultErrors: number;
  dispatcherWarnings: number;
  disconnects: number;
  errorSamples: string[];
  checkInMs: number[];
  /** From the command's `issued_at` to its result published. */
  commandMs: number[];
  /** When each `apply` command reached its agent (epoch ms, the cluster id), since the last report. */
  applyReceived: { cluster: string; at: number }[];
}

const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'ap-southeast-2'];

const stats: WorkerStats = {
  type: 'stats',
  pid: process.pid,
  connected: 0,
  checkIns: 0,
  checkInsWithCredentials: 0,
  checkInErrors: 0,
  heartbeats: 0,
  heartbeatErrors: 0,
  commands: {},
  resultErrors: 0,
  dispatcherWarnings: 0,
  disconnects: 0,
  errorSamples: [],
  checkInMs: [],
  commandMs: [],
  applyReceived: [],
};

function noteError(e: unknown): void {
  if (stats.errorSamples.length < 20) stats.errorSamples.push(String((e as Error)?.message ?? e));
}

/** The agent's logger shape: counts warnings and errors (a failed pull, a failed ack, ...). */
function countingLogger(): Logger {
  const l: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg) => {
      stats.dispatcherWarnings++;
      noteError(msg ?? JSON.stringify(obj));
    },
    error: (obj, msg) => {
      stats.dispatcherWarnings++;
      noteError(msg ?? JSON.stringify(obj));
    },
    child: () => l,
  };
  return l;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Running {
  stop(): Promise<void>;
}

const running: Running[] = [];
const timers: NodeJS.Timeout[] = [];
let stopping = false;

function sweepAnswer(a: SimulatedAgent, command: CommandEnvelope): HandlerOutput {
  const heartbeat = {
    cluster_id: a.id,
    last_sweep_at: new Date().toISOString(),
    sweep_duration_seconds: 0.05,
    addons_inspected: 1,
  };
  return {
    ok: true,
    outcome: 'ok',
    message: `swept 1 add-on (${command.idempotency_key ?? command.id})`,
    sweep: {
      heartbeat,
      members: [
        {
          kind: 'addon',
          name: 'podinfo',
          namespace: 'apps',
          stack: 'base',
          state: 'Synced',
          actions: [],
          drifted_objects: 0,
          message: 'in sync',
        },
        {
          kind: 'manifest',
          name: 'ns',
          stack: 'base',
          state: 'Synced',
          actions: [],
          drifted_objects: 0,
          message: 'in sync',
        },
      ],
      helm_calls: 0,
      api_requests: 0,
    },
  };
}

async function startAgent(a: SimulatedAgent, o: WorkerStart): Promise<void> {
  let creds: CheckInBus | undefined;
  const report = (): CheckInReport => ({
    agent_version: '0.1.0',
    kubernetes_version: 'v1.35.4',
    node_count: 3 + (a.index % 20),
    region: REGIONS[a.index % REGIONS.length]!,
    bus_credentials: needsBusCredentials(creds, new Date()),
  });
  const once = async (): Promise<void> => {
    const r = report();
    const t0 = performance.now();
    try {
      const answer = await checkIn({ platformUrl: o.platformUrl, token: a.token, report: r });
      stats.checkInMs.push(performance.now() - t0);
      stats.checkIns++;
      if (answer.bus) {
        stats.checkInsWithCredentials++;
        creds = answer.bus;
      }
    } catch (e) {
      stats.checkInErrors++;
      noteError(e);
      throw e;
    }
  };
  const connect = () =>
    NatsBus.connect({
      servers: creds!.servers,
      creds: () => creds!.creds,
      inboxPrefix: creds!.inbox_prefix,
      name: `simulated-agent/${a.id}`,
      onStatus: (s) => {
        if (s === 'reconnecting') stats.disconnects++;
      },
      onError: (e) => {
        stats.resultErrors++;
        noteError(e);
      },
    });
  // the first check-in, and the bus connection it leads to, are retried until they work, after the
  // check-in interval, as the agent does (a connection refused by a busy nats-server is not the end)
  let bus: NatsBus | undefined;
  for (;;) {
    if (stopping) return;
    const checkedIn = await once().then(
      () => true,
      () => false, // counted
    );
    if (checkedIn && creds) {
      try {
        bus = await connect();
        break;
      } catch (e) {
        // counted with the bus errors
        stats.resultErrors++;
        noteError(e);
      }
    }
    await sleep(o.checkInMs);
  }
  // when the platform issued each command being answered, by command id
  const issuedAt = new Map<string, number>();
  const answer = async (command: CommandEnvelope): Promise<HandlerOutput> => {
    stats.commands[command.kind] = (stats.commands[command.kind] ?? 0) + 1;
    if (command.kind === 'apply') stats.applyReceived.push({ cluster: a.id, at: Date.now() });
    issuedAt.set(command.id, Date.parse(command.issued_at));
    if (command.kind === 'sweep') return sweepAnswer(a, command);
    return { ok: true, outcome: 'ok', message: `${command.kind} done` };
  };
  const dispatcher = new CommandDispatcher({
    clusterId: a.id,
    queue: bus.commands(a.id),
    handlers: { sweep: answer, apply: answer, rollback: answer, uninstall: answer },
    pools: { sweep: 'read', apply: 'write', rollback: 'write', uninstall: 'write' },
    // the agent's defaults (MOORING_NATS_WORKER_MAX_WORKERS, READ/WRITE_WORKER_COUNT)
    maxInFlight: 15,
    readWorkers: 5,
    writeWorkers: 5,
    publish: async (r) => {
      try {
        await bus.publish(resultSubject(a.id), r);
      } catch (e) {
        stats.resultErrors++;
        noteError(e);
        throw e;
      }
      const issued = issuedAt.get(r.command_id);
      issuedAt.delete(r.command_id);
      if (issued !== undefined && !Number.isNaN(issued)) stats.commandMs.push(Date.now() - issued);
    },
    metrics: new AgentMetrics(a.id),
    logger: countingLogger(),
    pollMs: o.pollMs,
  });
  dispatcher.start();
  stats.connected++;
  const heartbeats = new BusHeartbeatPublisher(bus);
  const beat = () =>
    void heartbeats
      .publish({
        cluster_id: a.id,
        last_sweep_at: new Date().toISOString(),
        sweep_duration_seconds: 0.05,
        addons_inspected: 1,
      })
      .then(
        () => {
          stats.heartbeats++;
        },
        (e: unknown) => {
          stats.heartbeatErrors++;
          noteError(e);
        },
      );
  // check-ins keep the phase of the first one; heartbeats start at a random second of the minute
  timers.push(setInterval(() => void once().catch(() => undefined), o.checkInMs));
  const offset = Math.random() * o.heartbeatMs;
  timers.push(
    setTimeout(() => {
      beat();
      timers.push(setInterval(beat, o.heartbeatMs));
    }, offset),
  );
  running.push({
    stop: async () => {
      await dispatcher.stop(2000);
      await bus.close();
    },
  });
}

async function start(o: WorkerStart): Promise<void> {
  const step = o.agents.length > 1 ? o.rampMs / o.agents.length : 0;
  const t0 = performance.now();
  await Promise.all(
    o.agents.map(async (a, i) => {
      const wait = t0 + i * step - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopping) return;
      await startAgent(a, o).catch((e: unknown) => {
        stats.checkInErrors++;
        noteError(e);
      });
    }),
  );
}

function report(): void {
  process.send?.({ ...stats });
  stats.checkInMs = [];
  stats.commandMs = [];
  stats.applyReceived = [];
  stats.errorSamples = [];
}

process.on('message', (m: { type: string }) => {
  if (m.type === 'start') void start(m as WorkerStart);
  else if (m.type === 'stats') report();
  else if (m.type === 'stop') {
    stopping = true;
    for (const t of timers) clearInterval(t);
    void Promise.allSettled(running.map((r) => r.stop())).then(() => {
      report();
      process.send?.({ type: 'stopped' }, () => process.exit(0));
    });
  }
});
