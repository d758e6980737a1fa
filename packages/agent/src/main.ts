// The agent process: `node packages/agent/src/main.ts`. Exit codes: 0 after a
// graceful stop (SIGTERM/SIGINT), 1 on a start-up failure, 2 on invalid configuration.
import { agentInboxPrefix, type Bus, InProcessBus, NatsBus } from '@mooring/bus';
import { type Agent, startAgent } from './agent.ts';
import { CheckInRejectedError } from './checkin.ts';
import { type CheckInSession, startCheckInSession } from './checkinSession.ts';
import { ConfigError, describeConfig, loadConfig } from './config.ts';
import { type HealthServer, startHealthServer } from './health.ts';
import { startHeapCompactor } from './heapCompactor.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // startAgent tags its child logger with the cluster id
  const logger = createLogger(config.logLevel, config.podName ? { pod: config.podName } : {});
  logger.info({ config: describeConfig(config) }, 'starting');
  // the V8 heap given back after bursts (applies, floods of watch events): this process only
  const heap = startHeapCompactor({ logger });

  let agent: Agent | undefined;
  let session: CheckInSession | undefined;
  let bus: Bus | undefined;
  let health: HealthServer | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping');
    stopping ??= (async () => {
      heap.stop();
      if (session) await session.stop();
      else if (agent) await agent.stop();
      else await bus?.close().catch(() => undefined);
      await health?.close();
    })();
    return stopping;
  };
  const stopped = new Promise<void>((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => void shutdown(s).then(resolve));
  });

  try {
    health = await startHealthServer({
      port: config.httpPort,
      readiness: () =>
        agent?.readiness() ?? { ready: false, reason: 'starting', bus: 'starting', first_sweep_done: false },
      metrics: () => agent?.metrics,
      logger,
    });
    if (config.token) {
      // through the platform: check in with the token, bus credentials from the answer
      session = await startCheckInSession({ config, logger });
      agent = session.agent;
      if (stopping) {
        // a signal came while checking in: stop what was started
        await session.stop();
        await stopped;
        return 0;
      }
      const why = await Promise.race([session.ended, stopped.then(() => 'stopped' as const)]);
      if (why === 'rejected') {
        await health?.close();
        return 1;
      }
      return 0;
    }
    bus = config.natsUrl
      ? await NatsBus.connect({
          servers: config.natsUrl.split(',').map((s) => s.trim()),
          name: `mooring-agent/${config.clusterId}`,
          // its own inbox: the only one bus credentials for its cluster allow
          inboxPrefix: agentInboxPrefix(config.clusterId),
          waitOnFirstConnect: true,
          onStatus: (status) => logger.info({ status }, 'bus status'),
          onError: (err, subject) => logger.warn({ err, subject }, 'bus error'),
        })
      : new InProcessBus();
    if (stopping) {
      // a signal came while connecting: nothing was started on this bus
      await bus.close().catch(() => undefined);
      await stopped;
      return 0;
    }
    agent = await startAgent({ config, bus, logger });
  } catch (e) {
    if (e instanceof CheckInRejectedError) logger.error({ status: e.status }, e.message);
    else logger.error({ err: e }, 'the agent could not start');
    await shutdown('startup-failure');
    return 1;
  }
  await stopped;
  return 0;
}

process.exitCode = await main();
