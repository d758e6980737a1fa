import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { PlatformConfig } from '../config.ts';
import type { Database } from '../db/types.ts';
import type { CredentialsService } from '../gitops/credentials.ts';
import { type LeaderLock, PgAdvisoryLock, soleLeader } from '../scheduler/leader.ts';
import { ChartsService } from './charts.ts';
import { CatalogueIndexer } from './indexer.ts';
import { RegistriesService } from './registries.ts';
import { CATALOGUE_LOCK_KEY, CatalogueScheduler } from './scheduler.ts';

export interface Catalogue {
  registries: RegistriesService;
  charts: ChartsService;
  indexer: CatalogueIndexer;
  /** Lists the default registries (unless switched off) and starts the background indexer. */
  start(o?: { lock?: LeaderLock; tickMs?: number }): Promise<CatalogueScheduler>;
  /** Stops the indexer and waits for running jobs. */
  close(): Promise<void>;
}

/** The chart catalogue's parts, wired. Nothing runs in the background until `start`. */
export function buildCatalogue(o: {
  config: PlatformConfig;
  db: Database;
  logger: Logger;
  clock: Clock;
  credentials: CredentialsService;
}): Catalogue {
  const indexer = new CatalogueIndexer({
    db: o.db,
    clock: o.clock,
    logger: o.logger,
    credentials: o.credentials,
  });
  const registries = new RegistriesService({ db: o.db, clock: o.clock, indexer, logger: o.logger });
  const charts = new ChartsService({
    db: o.db,
    credentials: o.credentials,
    cacheDir: join(o.config.dataDir, 'charts'),
    helm: o.config.helm ?? 'helm',
  });
  let scheduler: CatalogueScheduler | undefined;
  const includeDefaults = o.config.defaultRegistries !== false;
  return {
    registries,
    charts,
    indexer,
    async start(s = {}) {
      if (scheduler) return scheduler;
      if (includeDefaults) await registries.seedDefaults();
      const lock =
        s.lock ??
        (o.config.databaseUrl
          ? new PgAdvisoryLock(
              o.config.databaseUrl,
              o.logger.child({ component: 'catalogue' }),
              CATALOGUE_LOCK_KEY,
            )
          : soleLeader);
      scheduler = new CatalogueScheduler({
        db: o.db,
        clock: o.clock,
        indexer,
        lock,
        logger: o.logger.child({ component: 'catalogue' }),
        includeDefaults,
        ...(s.tickMs ? { tickMs: s.tickMs } : {}),
      });
      scheduler.start();
      return scheduler;
    },
    async close() {
      await indexer.stop();
      await scheduler?.stop();
    },
  };
}
