import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import type { Clock } from '../clock.ts';
import { findCluster } from '../clusters/queries.ts';
import type { Database } from '../db/types.ts';
import { NotFoundError } from '../errors.ts';
import { listQuerySchema, pageRequest, pageSchema, toPage } from '../http/pagination.ts';
import { heartbeatPage, lastHeartbeat } from './queries.ts';
import {
  HEARTBEAT_SORT_FIELDS,
  type HeartbeatSortField,
  heartbeatSchema,
  heartbeatView,
  latestHeartbeatSchema,
  latestView,
} from './views.ts';

const id = z.object({ id: z.string().min(1).max(200) });

/** `GET /clusters/:id/heartbeats`: the cluster's heartbeat history (paged) and its latest reconcile lag. */
export function registerHeartbeatRoutes(app: FastifyInstance, o: { db: Database; clock: Clock }): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/clusters/:id/heartbeats',
    {
      schema: {
        tags: ['clusters'],
        summary: 'The agent’s heartbeats (newest first by default) and the latest reconcile lag',
        params: id,
        querystring: listQuerySchema(HEARTBEAT_SORT_FIELDS, '-received_at'),
        response: { 200: pageSchema(heartbeatSchema).extend({ latest: latestHeartbeatSchema }) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => {
      const p = userOf(req);
      const cluster = await findCluster(o.db, p.organizationId, req.params.id);
      if (!cluster) throw new NotFoundError('cluster', req.params.id);
      const page = pageRequest<HeartbeatSortField>(req.query);
      const [{ rows, total }, last] = await Promise.all([
        heartbeatPage(o.db, cluster.id, page),
        lastHeartbeat(o.db, cluster.id),
      ]);
      return { ...toPage(rows.map(heartbeatView), total, page), latest: latestView(last, o.clock()) };
    },
  );
}
