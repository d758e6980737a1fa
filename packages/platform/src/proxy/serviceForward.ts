import { type Bus, requestSubject } from '@mooring/bus';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import type { ClustersService } from '../clusters/service.ts';
import { ConflictError } from '../errors.ts';
import { errorBodySchema } from '../http/errorBody.ts';

const params = z.object({
  id: z.string().min(1).max(200),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes namespace name'),
  name: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Service name'),
});

export const serviceForwardBodySchema = z
  .object({
    port: z
      .union([z.number().int().min(1).max(65535), z.string().min(1).max(15)])
      .describe('the Service port, by number or name'),
    method: z.enum(['GET', 'POST']).default('GET'),
    path: z
      .string()
      .startsWith('/')
      .max(8192)
      .describe('the path with its query, e.g. /api/v1/query?query=up'),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('accept, content-type and user-agent are passed'),
    body: z.string().max(1_000_000).optional().describe('the request body, as text'),
    timeout_seconds: z
      .number()
      .positive()
      .max(3600)
      .default(30)
      .describe("bounded by the agent's FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS (default 120)"),
  })
  .strict();

const answerSchema = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string().describe('base64'),
  truncated: z.boolean().optional(),
});

/** How much longer than the forwarded request the platform waits for the agent's answer. */
const ANSWER_SLACK_MS = 5_000;

/**
 * `POST /clusters/{id}/services/{namespace}/{name}/forward`: one HTTP request to an in-cluster
 * Service through the cluster's agent (a Prometheus query, a health page), answered with the
 * Service's status, content type and body. The agent bounds its time by
 * `FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS`: a slower Service is answered 504.
 */
export function registerServiceForwardRoutes(
  app: FastifyInstance,
  o: { clusters: ClustersService; bus: Bus },
): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/clusters/:id/services/:namespace/:name/forward',
    {
      schema: {
        tags: ['kubectl'],
        summary:
          'Forward one HTTP request to a Service in the cluster through its agent (e.g. a Prometheus query)',
        params,
        body: serviceForwardBodySchema,
        response: { 200: answerSchema, 409: errorBodySchema },
      },
      config: { access: { role: 'operator' } },
    },
    async (req) => {
      const cluster = await o.clusters.get(userOf(req), req.params.id);
      const b = req.body;
      let reply: unknown;
      try {
        reply = await o.bus.request<unknown>(
          requestSubject(cluster.id, 'service.forward'),
          {
            namespace: req.params.namespace,
            service: req.params.name,
            port: b.port,
            method: b.method,
            path: b.path,
            ...(b.headers ? { headers: b.headers } : {}),
            ...(b.body !== undefined ? { body: Buffer.from(b.body).toString('base64') } : {}),
            timeout_seconds: b.timeout_seconds,
          },
          { timeoutMs: b.timeout_seconds * 1000 + ANSWER_SLACK_MS },
        );
      } catch (e) {
        throw new ConflictError(`the cluster's agent did not answer: ${(e as Error).message}`, { cause: e });
      }
      if (reply && typeof reply === 'object' && 'error' in reply)
        throw new ConflictError(
          `service ${req.params.namespace}/${req.params.name}: ${String((reply as { error: unknown }).error)}`,
        );
      return answerSchema.parse(reply);
    },
  );
}
