import type { Logger } from 'pino';
import { startAddonsFeed } from './addons/feed.ts';
import { startAgentBus } from './agentbus/start.ts';
import type { AgentBus } from './agentbus/types.ts';
import { bootstrap, type FirstCredentials, firstCredentialsMessage } from './auth/bootstrap.ts';
import { type Clock, systemClock } from './clock.ts';
import { type ClusterHooks, composeClusterHooks } from './clusters/hooks.ts';
import { describeConfig, type PlatformConfig } from './config.ts';
import { type DatabaseHandle, type DatabaseTarget, openDatabase } from './db/database.ts';
import { inIngestLane } from './db/lanes.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { GitopsParts } from './gitops/build.ts';
import { loadSecretBox } from './gitops/secretKeyFile.ts';
import { type Runtime, startRuntime } from './runtime.ts';
import { buildServer, type Server } from './server.ts';

export interface StartOptions {
  config: PlatformConfig;
  logger: Logger;
  /** Where the first start's one-time credentials are shown (a terminal, never the log). */
  print: (text: string) => void;
  clock?: Clock;
  clusterHooks?: ClusterHooks;
  /** Listen on config.listen:config.port (default true; false for in-process use). */
  listen?: boolean;
  /** GitOps parts (the apply dispatcher; the secret key comes from the settings or the data directory). */
  gitops?: GitopsParts;
}

export interface RunningPlatform extends Server {
  database: DatabaseHandle;
  /** The first owner's credentials when this start created them. */
  firstCredentials?: FirstCredentials;
  /** The address listened on, when listening. */
  address?: string;
  /** The agents' bus (NATS with per-cluster credentials, or the embedded in-process hub). */
  agentBus: AgentBus;
  /** Results, heartbeats, timeouts and the sweep scheduler. */
  runtime: Runtime;
  close(): Promise<void>;
}

export function databaseTarget(config: PlatformConfig): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize }
    : { kind: 'pglite', dataDir: `${config.dataDir}/pglite` };
}

/** Opens the database, migrates it, creates the first owner when there is none, and serves the API. */
export async function startPlatform(o: StartOptions): Promise<RunningPlatform> {
  const { config, logger } = o;
  logger.info({ config: describeConfig(config) }, 'starting');
  const database = await openDatabase(databaseTarget(config), logger);
  let agentBus: AgentBus | undefined;
  try {
    await migrateToLatest(database.db, logger);
    const firstCredentials = await bootstrap(database.db, config.dataDir);
    if (firstCredentials) {
      logger.info(
        { username: firstCredentials.username, file: firstCredentials.file },
        'first owner created',
      );
      o.print(firstCredentialsMessage(firstCredentials));
    }
    agentBus = await startAgentBus({ config, db: database.db, clock: o.clock ?? systemClock, logger });
    const server = await buildServer({
      config,
      db: database.db,
      logger,
      clock: o.clock,
      clusterHooks: composeClusterHooks(o.clusterHooks, agentBus.hooks()),
      agentBus,
      pool: database.pool,
      gitops: { secretBox: loadSecretBox(config).box, ...o.gitops },
    });
    if (config.secretKeyPrevious) {
      const resealed = await server.services.credentials.reencryptAll();
      logger.info(resealed, 'secrets re-encrypted under the current key');
    }
    await server.services.gitops.start();
    await server.services.catalogue.start();
    // agents' traffic and the scheduler run in the ingest lane: they never take the pool's API share
    const bus = agentBus.bus;
    const stopAddonsFeed = await inIngestLane(() => startAddonsFeed({ bus, db: database.db, logger }));
    const runtime = await inIngestLane(() =>
      startRuntime({
        config,
        db: database.db,
        clock: o.clock ?? systemClock,
        logger,
        bus,
        operations: server.services.operations,
        metrics: server.metrics,
        engines: server.services.engines,
      }),
    );
    let address: string | undefined;
    if (o.listen ?? true) address = await server.app.listen({ host: config.listen, port: config.port });
    else await server.app.ready();
    return {
      ...server,
      database,
      firstCredentials,
      address,
      agentBus,
      runtime,
      close: async () => {
        await stopAddonsFeed();
        await runtime.stop();
        await server.app.close();
        await agentBus?.close();
        await database.close();
      },
    };
  } catch (e) {
    await agentBus?.close().catch(() => undefined);
    await database.close();
    throw e;
  }
}
