import {
  type Bus,
  RESOURCES_PREFIX,
  RESOURCES_RESYNC_REQUEST,
  RESOURCES_SUBJECTS,
  requestSubject,
  resourcesMessageSchema,
  type Unsubscribe,
} from '@mooring/bus';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ResourceCache } from './cache.ts';

/** The shortest time between two resync requests to one cluster's agent. */
export const RESYNC_INTERVAL_MS = 30_000;

/**
 * Feeds the cache from every cluster's `agent.resources.{cluster_id}` (each platform
 * replica keeps its own copy, so no queue group) and asks an agent to send everything
 * again when the copy cannot be trusted (at most every 30 s per cluster).
 */
export async function consumeResources(o: {
  bus: Bus;
  cache: ResourceCache;
  clock: Clock;
  logger: Logger;
}): Promise<Unsubscribe> {
  const asked = new Map<string, number>();
  const resync = (clusterId: string) => {
    const now = o.clock().getTime();
    if (now - (asked.get(clusterId) ?? 0) < RESYNC_INTERVAL_MS) return;
    asked.set(clusterId, now);
    o.bus
      .request(requestSubject(clusterId, RESOURCES_RESYNC_REQUEST), {}, { timeoutMs: 10_000 })
      .catch((err: unknown) =>
        o.logger.debug({ err, cluster_id: clusterId }, 'resources resync not answered'),
      );
  };
  return o.bus.subscribe(
    RESOURCES_SUBJECTS,
    (m) => {
      const clusterId = m.subject.slice(RESOURCES_PREFIX.length + 1);
      const { needsResync } = o.cache.apply(clusterId, resourcesMessageSchema.parse(m.data), o.clock());
      if (needsResync) resync(clusterId);
    },
    {
      schema: resourcesMessageSchema,
      onError: (err, subject) => o.logger.warn({ err, subject }, 'resources message not handled'),
    },
  );
}
