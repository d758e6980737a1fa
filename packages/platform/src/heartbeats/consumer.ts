import { type Bus, HEARTBEAT_SUBJECTS, type HeartbeatMessage } from '@mooring/bus';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import { HeartbeatBatcher } from './batcher.ts';
import { recordHeartbeats } from './queries.ts';

/** Queue group of the platform replicas: each heartbeat is stored by one of them. */
export const HEARTBEATS_QUEUE = 'mooring-platform-heartbeats';

/**
 * Stores every `agent.heartbeat.native_reconcile.{cluster_id}` (validated by the bus
 * with `heartbeatSchema`, its cluster the subject's), in batches: one transaction per
 * `flushMs` (or per `maxBatch` heartbeats). Returns a stop function (which writes what is left).
 */
export async function startHeartbeatConsumer(o: {
  bus: Bus;
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Times each batch's write (the metrics' bus handler histogram). */
  time?: <T>(consumer: string, handle: () => Promise<T>) => Promise<T>;
  flushMs?: number;
  maxBatch?: number;
}): Promise<() => Promise<void>> {
  const logger = o.logger.child({ component: 'heartbeats' });
  const time = o.time ?? ((_c, handle) => handle());
  const batcher = new HeartbeatBatcher({
    write: (batch) => time('heartbeats', () => recordHeartbeats(o.db, batch)),
    ...(o.flushMs !== undefined ? { flushMs: o.flushMs } : {}),
    ...(o.maxBatch !== undefined ? { maxBatch: o.maxBatch } : {}),
    onWritten: (batch, stored) => {
      if (stored.size === new Set(batch.map((b) => b.heartbeat.cluster_id)).size) return;
      const unknown = [...new Set(batch.map((b) => b.heartbeat.cluster_id))].filter((id) => !stored.has(id));
      logger.debug({ cluster_ids: unknown }, 'heartbeats of unknown clusters ignored');
    },
    onError: (err, batch) => logger.warn({ err, heartbeats: batch.length }, 'heartbeats could not be stored'),
  });
  const unsubscribe = await o.bus.subscribe<HeartbeatMessage>(
    HEARTBEAT_SUBJECTS,
    (m) => {
      batcher.add(m.data, o.clock());
    },
    {
      queue: HEARTBEATS_QUEUE,
      onError: (err, subject) => logger.warn({ err, subject }, 'a heartbeat could not be stored'),
    },
  );
  return async () => {
    await unsubscribe().catch(() => undefined);
    await batcher.flush().catch(() => undefined);
  };
}
