import { AgentMetrics, CommandDispatcher, type HandlerOutput, silentLogger } from '@mooring/agent';
import { BusHeartbeatPublisher, type CommandEnvelope, NatsBus, resultSubject } from '@mooring/bus';

/**
 * An agent that speaks the real protocol with the real `CommandDispatcher` (and its
 * idempotency record): it checks in with its agent token, connects to NATS with the
 * answer's per-cluster credentials, takes `sweep` commands, publishes results. The
 * sweep itself is a stand-in the test controls (`gate`), counted per idempotency key.
 */
export async function startMinimalAgent(o: {
  /** One platform, or several replicas: each check-in goes to the first that answers. */
  platformUrl: string | string[];
  agentToken: string;
  clusterId: string;
  /** Awaited by each sweep before it answers (default: answer at once). */
  gate?: (command: CommandEnvelope) => Promise<void>;
}) {
  const checkIn = async () => {
    let last: unknown;
    for (const url of [o.platformUrl].flat()) {
      try {
        const res = await fetch(`${url}/api/v1/agent/check-in`, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.agentToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ agent_version: '0.1.0', kubernetes_version: 'v1.35.4', node_count: 1 }),
        });
        if (res.status !== 200) throw new Error(`check-in: ${res.status} ${await res.text()}`);
        return (await res.json()) as { bus?: { servers: string[]; creds: string; inbox_prefix: string } };
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };
  const answer = await checkIn();
  if (!answer.bus) throw new Error('the check-in answered no bus credentials');
  const bus = await NatsBus.connect({
    servers: answer.bus.servers,
    creds: answer.bus.creds,
    inboxPrefix: answer.bus.inbox_prefix,
    name: `minimal-agent/${o.clusterId}`,
  });
  const runs = new Map<string, number>();
  const published: { command_id: string; idempotency_key?: string }[] = [];
  const dispatcher = new CommandDispatcher({
    clusterId: o.clusterId,
    queue: bus.commands(o.clusterId),
    handlers: {
      sweep: async (command): Promise<HandlerOutput> => {
        const key = command.idempotency_key ?? command.id;
        runs.set(key, (runs.get(key) ?? 0) + 1);
        await o.gate?.(command);
        return { ok: true, outcome: 'ok', message: `swept (${key})` };
      },
    },
    pools: { sweep: 'read' },
    maxInFlight: 4,
    readWorkers: 4,
    writeWorkers: 1,
    publish: async (r) => {
      published.push({ command_id: r.command_id, idempotency_key: r.idempotency_key });
      await bus.publish(resultSubject(o.clusterId), r);
    },
    metrics: new AgentMetrics(o.clusterId),
    logger: silentLogger(),
    pollMs: 1000,
    retryDelayMs: 200,
  });
  dispatcher.start();
  // stays online (a check-in within every 30 s)
  const timer = setInterval(() => void checkIn().catch(() => undefined), 5_000);
  return {
    runs,
    published,
    checkIn,
    /** Publishes a reconcile heartbeat for a sweep that finished at `at`. */
    heartbeat: (at: Date) =>
      new BusHeartbeatPublisher(bus).publish({
        cluster_id: o.clusterId,
        last_sweep_at: at.toISOString(),
        sweep_duration_seconds: 0.5,
        addons_inspected: 7,
      }),
    stop: async () => {
      clearInterval(timer);
      await dispatcher.stop(2000);
      await bus.close();
    },
  };
}
