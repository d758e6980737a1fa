import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import { type ArgocdService, argocdViewSchema, connectBodySchema } from './service.ts';

const params = z.object({ id: z.string().min(1).max(200) });
const none = z.union([z.undefined(), z.null(), z.object({}).strict()]);

/** A cluster's Argo CD connection: connect (admin credentials once), show, rotate the token, reconnect, disconnect. */
export function registerArgocdRoutes(app: FastifyInstance, o: { argocd: ArgocdService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/clusters/:id/argocd',
    {
      schema: {
        tags: ['argocd'],
        summary: 'The cluster’s Argo CD connection (never the token)',
        params,
        response: { 200: argocdViewSchema, 404: errorBodySchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.argocd.get(userOf(req), req.params.id),
  );
  r.put(
    '/api/v1/clusters/:id/argocd',
    {
      schema: {
        tags: ['argocd'],
        summary:
          'Connect the cluster’s Argo CD: the agent declares the mooring account and creates its API token with the admin credentials given (used once, never stored); the token is stored encrypted',
        params,
        body: connectBodySchema,
        response: { 200: argocdViewSchema, 404: errorBodySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.argocd.connect(userOf(req), req.params.id, req.body),
  );
  r.post(
    '/api/v1/clusters/:id/argocd/rotate',
    {
      schema: {
        tags: ['argocd'],
        summary: 'A new API token for the mooring account; the old one is revoked',
        params,
        body: none,
        response: { 200: argocdViewSchema, 404: errorBodySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.argocd.rotate(userOf(req), req.params.id),
  );
  r.post(
    '/api/v1/clusters/:id/argocd/reconnect',
    {
      schema: {
        tags: ['argocd'],
        summary: 'Hand the stored token to the agent again (after the agent restarted)',
        params,
        body: none,
        response: { 200: argocdViewSchema, 404: errorBodySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.argocd.reconnect(userOf(req), req.params.id),
  );
  r.delete(
    '/api/v1/clusters/:id/argocd',
    {
      schema: {
        tags: ['argocd'],
        summary: 'Revoke the token through the agent and forget the connection',
        params,
        response: { 204: z.undefined().describe('done'), 404: errorBodySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => {
      await o.argocd.disconnect(userOf(req), req.params.id);
      return reply.code(204).send();
    },
  );
}
