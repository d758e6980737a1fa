import { type Bus, HEARTBEAT_SUBJECTS, type HeartbeatMessage } from '@mooring/bus';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import { recordHeartbeat } from './queries.ts';

/** Queue group of the platform replicas: each heartbeat is stored by one of them. */
export const HEARTBEATS_QUEUE = 'mooring-platform-heartbeats';

/**
 * Stores every `agent.heartbeat.native_reconcile.{cluster_id}` (validated by the bus
 * with `heartbeatSchema`, its cluster the subject's). Returns a stop function.
 */
export async function startHeartbeatConsumer(o: {
  bus: Bus;
  db: Database;
  clock: Clock;
  logger: Logger;
}): Promise<() => Promise<void>> {
  const logger = o.logger.child({ component: 'heartbeats' });
  const unsubscribe = await o.bus.subscribe<HeartbeatMessage>(
    HEARTBEAT_SUBJECTS,
    async (m) => {
      const known = await recordHeartbeat(o.db, m.data, o.clock());
      if (!known) logger.debug({ cluster_id: m.data.cluster_id }, 'heartbeat of an unknown cluster ignored');
    },
    {
      queue: HEARTBEATS_QUEUE,
      onError: (err, subject) => logger.warn({ err, subject }, 'a heartbeat could not be stored'),
    },
  );
  return async () => {
    await unsubscribe().catch(() => undefined);
  };
}
