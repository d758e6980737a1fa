import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import {
  decommissionViewSchema,
  type EnginesService,
  eligibilityViewSchema,
  enginesViewSchema,
  migrationViewSchema,
  startMigrationSchema,
} from './service.ts';

const params = z.object({ id: z.string().min(1).max(200) });
const errors = { 404: errorBodySchema, 409: errorBodySchema };

/** Engines of a cluster: default engine, migration to native (eligibility, start, follow, roll back one add-on), decommissioning Argo CD. */
export function registerEngineRoutes(app: FastifyInstance, o: { engines: EnginesService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/clusters/:id/engines',
    {
      schema: {
        tags: ['engines'],
        summary: 'The cluster’s default engine and the engine of each add-on (and where it comes from)',
        params,
        response: { 200: enginesViewSchema, ...errors },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.engines.view(userOf(req), req.params.id),
  );
  r.put(
    '/api/v1/clusters/:id/engines/default',
    {
      schema: {
        tags: ['engines'],
        summary: 'Set the engine of add-ons that do not name one (never argocd again after a decommission)',
        params,
        body: z.strictObject({ engine: z.enum(['native', 'argocd', 'ankra_native', 'argo_cd']) }),
        response: { 200: enginesViewSchema, ...errors },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) =>
      o.engines.setDefault(
        userOf(req),
        req.params.id,
        req.body.engine === 'argo_cd' || req.body.engine === 'argocd' ? 'argocd' : 'native',
      ),
  );
  r.get(
    '/api/v1/clusters/:id/migration/eligibility',
    {
      schema: {
        tags: ['engines'],
        summary:
          'The migration preview: each add-on on Argo CD with its blockers (in-flight sync, multi-source) and the kinds the native engine has no health rule for',
        params,
        response: { 200: eligibilityViewSchema, ...errors },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.engines.eligibility(userOf(req), req.params.id),
  );
  r.post(
    '/api/v1/clusters/:id/migrations',
    {
      schema: {
        tags: ['engines'],
        summary:
          'Migrate add-ons from Argo CD to native: helm --take-ownership adopts the live objects, the Application is deleted without cascade once the release is deployed; resumable',
        params,
        body: startMigrationSchema,
        response: { 202: migrationViewSchema, 400: errorBodySchema, ...errors },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) =>
      reply.code(202).send(await o.engines.startMigration(userOf(req), req.params.id, req.body)),
  );
  r.get(
    '/api/v1/clusters/:id/migrations',
    {
      schema: {
        tags: ['engines'],
        summary: 'The cluster’s engine migrations, newest first (50 at most)',
        params,
        response: { 200: z.object({ items: z.array(migrationViewSchema) }), ...errors },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => ({ items: await o.engines.migrations(userOf(req), req.params.id) }),
  );
  r.get(
    '/api/v1/clusters/:id/migrations/:migration',
    {
      schema: {
        tags: ['engines'],
        summary: 'One migration with each add-on’s state and report (UIDs kept, Pods kept, metadata changed)',
        params: params.extend({ migration: z.string().min(1).max(200) }),
        response: { 200: migrationViewSchema, ...errors },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.engines.migration(userOf(req), req.params.id, req.params.migration),
  );
  r.post(
    '/api/v1/clusters/:id/addons/:addon/engine/rollback',
    {
      schema: {
        tags: ['engines'],
        summary: 'Hand a migrated add-on back to Argo CD (until Argo CD is decommissioned)',
        params: params.extend({ addon: z.string().min(1).max(253) }),
        body: z.union([z.undefined(), z.null(), z.object({}).strict()]),
        response: { 202: migrationViewSchema, ...errors },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) =>
      reply.code(202).send(await o.engines.rollback(userOf(req), req.params.id, req.params.addon)),
  );
  r.post(
    '/api/v1/clusters/:id/argocd/decommission',
    {
      schema: {
        tags: ['engines'],
        summary:
          'Decommission Argo CD: migrate what is left, clear the stored credentials; Argo CD and Applications Mooring did not write are untouched',
        params,
        body: z.union([z.undefined(), z.null(), z.object({}).strict()]),
        response: { 200: decommissionViewSchema, 202: decommissionViewSchema, ...errors },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => {
      const d = await o.engines.decommission(userOf(req), req.params.id);
      return reply.code(d.state === 'migrating' ? 202 : 200).send(d);
    },
  );
}
