import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import type { ClustersService } from '../clusters/service.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import { PodLogsForwarder, PodLogsRefusedError } from './forward.ts';

const dns1123 = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const name = (max: number, what: string) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(dns1123, `must be a Kubernetes ${what} name (lower case, digits, "-", ".")`);
const flag = (what: string) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe(what);

const paramsSchema = z.object({
  id: z.string().min(1).max(200),
  namespace: name(63, 'namespace'),
  name: name(253, 'pod'),
});
const querySchema = z.object({
  container: name(253, 'container')
    .optional()
    .describe('the container; needed when the pod has more than one'),
  follow: flag('keep the response open and send new lines as they come'),
  tail_lines: z.coerce.number().int().min(0).max(1_000_000).optional().describe('only the last N lines'),
  since_seconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(10 * 365 * 86400)
    .optional()
    .describe('only lines newer than this many seconds'),
  previous: flag('the log of the previous (terminated) instance of the container'),
  all_containers: flag('every container (init, regular, ephemeral); each line prefixed with `[container] `'),
  timestamps: flag('each line starts with its RFC 3339 timestamp'),
});

const errorCodes: Record<number, string> = {
  400: 'invalid_request',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
  503: 'agent_unavailable',
  504: 'agent_timeout',
};

/**
 * Pod logs through the cluster's agent (`GET /clusters/:id/pods/:namespace/:name/logs`):
 * streamed as chunked `text/plain`, with backpressure all the way to the API server.
 */
export function registerLogRoutes(
  app: FastifyInstance,
  o: { clusters: ClustersService; forwarder: PodLogsForwarder },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/clusters/:id/pods/:namespace/:name/logs',
    {
      schema: {
        tags: ['resources'],
        summary:
          'A pod’s log, read by the cluster’s agent from its API server and streamed as chunked text/plain (follow, tail, since, previous, one container or all)',
        params: paramsSchema,
        querystring: querySchema,
        response: {
          200: z.string().describe('the log text (`text/plain`), streamed'),
          502: errorBodySchema,
          503: errorBodySchema,
          504: errorBodySchema,
        },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req, reply) => {
      const cluster = await o.clusters.get(userOf(req), req.params.id);
      const q = req.query;
      const raw = reply.raw;
      let headersSent = false;
      const sendHead = () => {
        if (headersSent) return;
        headersSent = true;
        raw.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'x-accel-buffering': 'no',
        });
      };
      try {
        reply.hijack();
        const { done } = await o.forwarder.open(
          cluster.id,
          {
            namespace: req.params.namespace,
            pod: req.params.name,
            ...(q.container ? { container: q.container } : {}),
            all_containers: q.all_containers,
            follow: q.follow,
            previous: q.previous,
            timestamps: q.timestamps,
            ...(q.tail_lines !== undefined ? { tail_lines: q.tail_lines } : {}),
            ...(q.since_seconds !== undefined ? { since_seconds: q.since_seconds } : {}),
          },
          {
            write: (text) => {
              sendHead();
              return raw.write(text);
            },
            onDrain: (fn) => raw.once('drain', fn),
            end: () => {
              sendHead();
              raw.end();
            },
            onGone: (fn) => raw.on('close', fn),
          },
        );
        sendHead();
        // headers now, so a followed log that is quiet still answers at once
        raw.flushHeaders();
        await done;
      } catch (err) {
        if (headersSent) {
          raw.destroy();
          return;
        }
        const status = err instanceof PodLogsRefusedError ? err.status : 502;
        const message = err instanceof PodLogsRefusedError ? err.message : 'the log could not be read';
        if (!(err instanceof PodLogsRefusedError)) req.log.warn({ err }, 'pod log failed');
        raw.writeHead(status >= 400 && status < 600 ? status : 502, { 'content-type': 'application/json' });
        raw.end(JSON.stringify({ error: { code: errorCodes[status] ?? 'upstream_error', message } }));
      }
    },
  );
}

export { PodLogsForwarder };
