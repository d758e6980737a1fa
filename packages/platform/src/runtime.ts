import { hostname } from 'node:os';
import type { Bus } from '@mooring/bus';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { PlatformConfig } from './config.ts';
import type { Database } from './db/types.ts';
import { MigrationCoordinator } from './engines/coordinator.ts';
import type { EnginesService } from './engines/service.ts';
import { startHeartbeatConsumer } from './heartbeats/consumer.ts';
import type { PlatformMetrics } from './metrics.ts';
import { startOperationsRuntime } from './operations/consumer.ts';
import type { OperationsService } from './operations/service.ts';
import { startPruning } from './retention.ts';
import { type LeaderLock, PgAdvisoryLock, soleLeader } from './scheduler/leader.ts';
import { Scheduler } from './scheduler/scheduler.ts';

/** This process among the replicas (in `created_by` of scheduled operations and the log). */
export function instanceName(): string {
  return `${hostname()}-${process.pid}`;
}

export interface Runtime {
  scheduler: Scheduler;
  /** Stops consuming, checking and scheduling (the scheduler lock is released). */
  stop(): Promise<void>;
}

/**
 * What runs in the background of a platform process: agent results advance
 * operations, step timeouts, heartbeats stored, operations left running by a
 * previous process resumed, and the sweep scheduler (one replica leads:
 * a PostgreSQL advisory lock; the embedded database has one process).
 */
export async function startRuntime(o: {
  config: PlatformConfig;
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: Bus;
  operations: OperationsService;
  metrics: PlatformMetrics;
  /** Engine migrations are driven by the leader when given. */
  engines?: EnginesService;
  instance?: string;
}): Promise<Runtime> {
  const instance = o.instance ?? instanceName();
  const stops: (() => Promise<void>)[] = [];
  try {
    const time = <T>(consumer: string, handle: () => Promise<T>) => o.metrics.timeHandler(consumer, handle);
    stops.push(
      await startHeartbeatConsumer({ bus: o.bus, db: o.db, clock: o.clock, logger: o.logger, time }),
    );
    stops.push(
      await startOperationsRuntime({ bus: o.bus, operations: o.operations, logger: o.logger, time }),
    );
    await o.operations.resumeAll();
    const lock: LeaderLock = o.config.databaseUrl
      ? new PgAdvisoryLock(o.config.databaseUrl, o.logger.child({ component: 'scheduler' }))
      : soleLeader;
    const scheduler = new Scheduler({
      db: o.db,
      clock: o.clock,
      operations: o.operations,
      lock,
      logger: o.logger,
      intervalSeconds: o.config.sweepIntervalSeconds,
      instance,
      onLeadership: (leader) => o.metrics.schedulerLeader.set(leader ? 1 : 0),
    });
    scheduler.start();
    stops.push(
      startPruning({
        db: o.db,
        clock: o.clock,
        logger: o.logger,
        settings: {
          heartbeatHours: o.config.heartbeatRetentionHours,
          sweepHours: o.config.sweepRetentionHours,
        },
        leading: () => scheduler.leader,
      }),
    );
    const engines = o.engines;
    if (engines) {
      const coordinator = new MigrationCoordinator({
        db: o.db,
        clock: o.clock,
        logger: o.logger.child({ component: 'engine-migrations' }),
        operations: o.operations,
        leading: () => scheduler.leader,
        finishDecommission: (m) => engines.finishDecommission(m.cluster_id, m.created_by),
      });
      coordinator.start();
      stops.push(() => coordinator.stop());
    }
    return {
      scheduler,
      stop: async () => {
        await scheduler.stop();
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (e) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw e;
  }
}
