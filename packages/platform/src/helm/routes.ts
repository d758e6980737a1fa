import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import { operationDetailSchema } from '../operations/views.ts';
import type { HelmService } from './service.ts';
import { helmHistorySchema, helmManifestSchema, helmReleaseSchema, helmValuesSchema } from './views.ts';

const NAMESPACE = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes namespace name');
const clusterParams = z.object({ id: z.string().min(1).max(200) });
const releaseParams = clusterParams.extend({
  namespace: NAMESPACE,
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,51}[a-z0-9])?$/, 'a Helm release name'),
});
const revisionQuery = z.object({
  revision: z.coerce.number().int().min(1).optional().describe('a stored revision; the newest when unset'),
});
const operation = operationDetailSchema.describe('the operation started');
const live = { 404: errorBodySchema, 409: errorBodySchema };

/** Every Helm release of a cluster through its agent: `/clusters/{id}/helm/releases/...`. */
export function registerHelmRoutes(app: FastifyInstance, o: { helm: HelmService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/clusters/:id/helm/releases',
    {
      schema: {
        tags: ['helm'],
        summary: 'Every Helm release in the cluster (newest revision of each), whoever installed it',
        params: clusterParams,
        querystring: z.object({ namespace: NAMESPACE.optional() }),
        response: { 200: z.object({ items: z.array(helmReleaseSchema) }), ...live },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => ({ items: await o.helm.releases(userOf(req), req.params.id, req.query.namespace) }),
  );

  r.get(
    '/api/v1/clusters/:id/helm/releases/:namespace/:name/history',
    {
      schema: {
        tags: ['helm'],
        summary: 'A release’s revisions, newest first',
        params: releaseParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) }),
        response: { 200: helmHistorySchema, ...live },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) =>
      o.helm.history(userOf(req), req.params.id, req.params.namespace, req.params.name, req.query.limit),
  );

  r.get(
    '/api/v1/clusters/:id/helm/releases/:namespace/:name/values',
    {
      schema: {
        tags: ['helm'],
        summary:
          'A revision’s user-supplied values, masked: the paths its add-on declares SOPS-encrypted and every ENC[...] string are ***',
        params: releaseParams,
        querystring: revisionQuery,
        response: { 200: helmValuesSchema, ...live },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) =>
      o.helm.values(userOf(req), req.params.id, req.params.namespace, req.params.name, req.query.revision),
  );

  r.get(
    '/api/v1/clusters/:id/helm/releases/:namespace/:name/manifest',
    {
      schema: {
        tags: ['helm'],
        summary: 'A revision’s rendered manifest and hooks; the data of every Secret is ***',
        params: releaseParams,
        querystring: revisionQuery,
        response: { 200: helmManifestSchema, ...live },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) =>
      o.helm.manifest(userOf(req), req.params.id, req.params.namespace, req.params.name, req.query.revision),
  );

  r.post(
    '/api/v1/clusters/:id/helm/releases/:namespace/:name/rollback',
    {
      schema: {
        tags: ['helm'],
        summary: 'Roll a release back to a stored revision (an operation: helm rollback, waiting for it)',
        params: releaseParams,
        body: z.object({ revision: z.number().int().min(1) }).strict(),
        response: { 202: operation, ...live },
      },
      config: { access: { role: 'operator' } },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(
          await o.helm.rollback(
            userOf(req),
            req.params.id,
            req.params.namespace,
            req.params.name,
            req.body.revision,
          ),
        ),
  );

  r.post(
    '/api/v1/clusters/:id/helm/releases/:namespace/:name/uninstall',
    {
      schema: {
        tags: ['helm'],
        summary:
          'Uninstall a release (an operation: helm uninstall); a release of the definition comes back with its next apply',
        params: releaseParams,
        body: z.union([z.undefined(), z.null(), z.object({}).strict()]),
        response: { 202: operation, ...live },
      },
      config: { access: { role: 'operator' } },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await o.helm.uninstall(userOf(req), req.params.id, req.params.namespace, req.params.name)),
  );
}
