import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import { listQuerySchema, pageRequest, pageSchema } from '../http/pagination.ts';
import { OPERATION_STATES } from './machine.ts';
import { OPERATION_SORT_FIELDS, type OperationSortField } from './queries.ts';
import type { OperationsService } from './service.ts';
import { operationDetailSchema, operationSchema } from './views.ts';

const id = z.object({ id: z.string().min(1).max(200) });
const noBody = z.union([z.undefined(), z.null(), z.object({}).strict()]);

export function registerOperationRoutes(app: FastifyInstance, o: { operations: OperationsService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/operations',
    {
      schema: {
        tags: ['operations'],
        summary: 'Operations (every change to a cluster), newest first by default',
        querystring: listQuerySchema(OPERATION_SORT_FIELDS, '-created_at').extend({
          cluster_id: z.string().min(1).max(200).optional().describe('only this cluster’s'),
          type: z
            .string()
            .min(1)
            .max(100)
            .optional()
            .describe('import, apply, sync, rollback, uninstall, sweep'),
          state: z.enum(OPERATION_STATES).optional(),
        }),
        response: { 200: pageSchema(operationSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) =>
      o.operations.list(
        userOf(req),
        { clusterId: req.query.cluster_id, type: req.query.type, state: req.query.state },
        pageRequest<OperationSortField>(req.query),
      ),
  );

  r.get(
    '/api/v1/operations/:id',
    {
      schema: {
        tags: ['operations'],
        summary: 'One operation with its steps and their results',
        params: id,
        response: { 200: operationDetailSchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.operations.get(userOf(req), req.params.id),
  );

  r.post(
    '/api/v1/operations/:id/retry',
    {
      schema: {
        tags: ['operations'],
        summary:
          'Run a failed, timed-out or cancelled operation again (a new operation, `retry_of` this one)',
        params: id,
        body: noBody,
        response: { 201: operationDetailSchema, 409: errorBodySchema },
      },
      config: { access: { role: 'operator' } },
    },
    async (req, reply) => reply.code(201).send(await o.operations.retry(userOf(req), req.params.id)),
  );

  r.post(
    '/api/v1/operations/:id/cancel',
    {
      schema: {
        tags: ['operations'],
        summary: 'Cancel a pending or running operation',
        description:
          'Its steps end `cancelled`. A command the agent already took may still finish there; its result is ignored.',
        params: id,
        body: noBody,
        response: { 200: operationDetailSchema, 409: errorBodySchema },
      },
      config: { access: { role: 'operator' } },
    },
    async (req) => o.operations.cancel(userOf(req), req.params.id),
  );
}
