import type { Bus, StreamedObject } from '@mooring/bus';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import type { Clock } from '../clock.ts';
import type { ClustersService } from '../clusters/service.ts';
import { ValidationError } from '../errors.ts';
import { listQuerySchema, pageOffset, pageRequest } from '../http/pagination.ts';
import { ResourceCache, type ResourceChange } from './cache.ts';
import { consumeResources } from './consumer.ts';
import { LabelSelectorError, matchesLabels, parseLabelSelector, type Requirement } from './labelSelector.ts';

const clusterParams = z.object({ id: z.string().min(1).max(200) });
const RESOURCE_SORT_FIELDS = ['namespace', 'name', 'created'] as const;
type ResourceSortField = (typeof RESOURCE_SORT_FIELDS)[number];

const filterSchema = z.object({
  kind: z
    .string()
    .min(1)
    .max(320)
    .describe('a kind (`Pod`), its plural (`pods`) or its key (`deployments.apps`)'),
  namespace: z.string().min(1).max(63).optional().describe('only objects of this namespace'),
  label_selector: z
    .string()
    .max(2000)
    .optional()
    .describe('a Kubernetes label selector: `app=web,tier!=db,env in (a,b),!legacy`'),
});

const kindSchema = z.object({
  key: z.string(),
  kind: z.string(),
  api_version: z.string(),
  namespaced: z.boolean(),
  count: z.number().int(),
  synced_at: z.string().nullable().describe('when the agent last sent the whole list of this kind'),
  error: z.string().nullable().describe('why the agent cannot list or watch this kind'),
});
const freshness = {
  last_heard_at: z
    .string()
    .nullable()
    .describe('when the platform last heard from the agent about resources'),
  stale: z.boolean().describe('true when nothing came from the agent for 90 s, or the kind was never listed'),
};
const objectSchema = z.looseObject({ metadata: z.looseObject({ name: z.string() }) });

function selectorOf(text: string | undefined): Requirement[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseLabelSelector(text);
  } catch (err) {
    if (err instanceof LabelSelectorError)
      throw new ValidationError('invalid label selector', [
        { path: 'query.label_selector', message: err.message },
      ]);
    throw err;
  }
}

function sortObjects(items: StreamedObject[], field: ResourceSortField, direction: 'asc' | 'desc') {
  if (field === 'namespace') {
    if (direction === 'desc') items.reverse();
    return items;
  }
  const value = (o: StreamedObject) =>
    field === 'name' ? o.metadata.name : String(o.metadata.creationTimestamp ?? '');
  const sign = direction === 'asc' ? 1 : -1;
  return items.sort((a, b) => sign * value(a).localeCompare(value(b)));
}

/** The SSE line of a change. */
export function sseEvent(c: ResourceChange): string {
  return `event: ${c.type}\ndata: ${JSON.stringify(c)}\n\n`;
}

/** The most bytes an SSE client may fall behind by before the platform ends its stream. */
const SSE_MAX_BUFFERED = 8 * 1024 * 1024;

/**
 * Live resources: the platform's copy of each cluster's objects, kept by the agents'
 * streams (`GET /clusters/:id/resources`, `/resources/kinds`), and its changes as
 * Server-Sent Events (`/resources/events`).
 */
export async function registerResourceRoutes(
  app: FastifyInstance,
  o: { clusters: ClustersService; bus: Bus; clock: Clock; logger: Logger; cache?: ResourceCache },
): Promise<ResourceCache> {
  const cache = o.cache ?? new ResourceCache();
  const stop = await consumeResources({ bus: o.bus, cache, clock: o.clock, logger: o.logger });
  app.addHook('onClose', () => stop().catch(() => undefined));
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/clusters/:id/resources/kinds',
    {
      schema: {
        tags: ['resources'],
        summary:
          'The kinds the cluster’s agent streams, with their object counts and when each was last listed',
        params: clusterParams,
        response: { 200: z.object({ items: z.array(kindSchema), ...freshness }) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => {
      const cluster = await o.clusters.get(userOf(req), req.params.id);
      const f = cache.freshness(cluster.id, o.clock());
      return {
        items: cache.kinds(cluster.id),
        last_heard_at: f.lastHeard?.toISOString() ?? null,
        stale: f.stale,
      };
    },
  );

  r.get(
    '/api/v1/clusters/:id/resources',
    {
      schema: {
        tags: ['resources'],
        summary:
          'Live resources of one kind from the platform’s copy (kept current by the agent’s watch), by namespace and label selector; Secrets carry metadata only',
        params: clusterParams,
        querystring: listQuerySchema(RESOURCE_SORT_FIELDS, 'namespace').extend(filterSchema.shape),
        response: {
          200: z.object({
            items: z.array(objectSchema),
            page: z.number().int(),
            page_size: z.number().int(),
            total: z.number().int(),
            kind: kindSchema.nullable(),
            ...freshness,
          }),
        },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => {
      const cluster = await o.clusters.get(userOf(req), req.params.id);
      const q = req.query;
      const selector = selectorOf(q.label_selector);
      const known = cache.kinds(cluster.id);
      const key = cache.resolveKind(cluster.id, q.kind);
      if (!key && known.length > 0)
        throw new ValidationError('unknown kind', [
          {
            path: 'query.kind',
            message: `the cluster has no kind "${q.kind}"; it streams ${known.map((k) => k.kind).join(', ')}`,
          },
        ]);
      const page = pageRequest<ResourceSortField>(q);
      const all = key
        ? sortObjects(
            cache.query(cluster.id, { kind: key, namespace: q.namespace, selector }),
            page.sort.field,
            page.sort.direction,
          )
        : [];
      const kind = key ? (cache.kind(cluster.id, key) ?? null) : null;
      const f = cache.freshness(cluster.id, o.clock());
      const from = pageOffset(page);
      return {
        items: all.slice(from, from + page.pageSize),
        page: page.page,
        page_size: page.pageSize,
        total: all.length,
        kind,
        last_heard_at: f.lastHeard?.toISOString() ?? null,
        stale: f.stale || !kind?.synced_at,
      };
    },
  );

  r.get(
    '/api/v1/clusters/:id/resources/events',
    {
      schema: {
        tags: ['resources'],
        summary:
          'Changes of the cluster’s live resources as Server-Sent Events (`text/event-stream`): `ADDED`, `MODIFIED`, `DELETED` with `{type, kind, object}`, `SYNCED` with `{type, kind, count}` after the agent listed a kind again; a comment every 15 s. List first, then apply the events',
        params: clusterParams,
        querystring: filterSchema.partial(),
      },
      config: { access: { role: 'viewer' } },
    },
    async (req, reply) => {
      const cluster = await o.clusters.get(userOf(req), req.params.id);
      const selector = selectorOf(req.query.label_selector);
      const kind = req.query.kind
        ? (cache.resolveKind(cluster.id, req.query.kind) ?? req.query.kind)
        : undefined;
      const ns = req.query.namespace;
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': live resources\n\n');
      const close = () => {
        unsubscribe();
        clearInterval(ping);
        if (!raw.writableEnded) raw.end();
      };
      const unsubscribe = cache.subscribe(cluster.id, (c) => {
        if (kind && c.kind !== kind) return;
        if (c.type !== 'SYNCED') {
          if (ns && c.object.metadata.namespace !== ns) return;
          if (selector && !matchesLabels(selector, c.object.metadata.labels)) return;
        }
        // a client that does not read: end its stream rather than buffer without bound
        if (raw.writableLength > SSE_MAX_BUFFERED) return close();
        raw.write(sseEvent(c));
      });
      const ping = setInterval(() => raw.write(': ping\n\n'), 15_000);
      raw.on('close', close);
    },
  );
  return cache;
}
