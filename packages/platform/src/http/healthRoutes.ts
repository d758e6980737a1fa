import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pingDatabase } from '../db/database.ts';
import type { Database } from '../db/types.ts';

/** `GET /api/v1/health`: 200 when the database answers, 503 when it does not. */
export function registerHealthRoutes(app: FastifyInstance, o: { db: Database }): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Whether the platform and its database answer',
        response: { 200: z.object({ status: z.literal('ok'), database: z.literal('up') }) },
      },
      config: { access: { public: true } },
    },
    async () => {
      await pingDatabase(o.db);
      return { status: 'ok' as const, database: 'up' as const };
    },
  );
}
