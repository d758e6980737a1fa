import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import { listQuerySchema, pageRequest, pageSchema } from '../http/pagination.ts';
import { operationDetailSchema } from '../operations/views.ts';
import type { AddonsService } from './service.ts';
import { stacksViewSchema } from './stacks.ts';
import { encryptedValuesSchema, encryptValuesBodySchema, type ValuesEncryption } from './valuesEncryption.ts';
import {
  ADDON_SORT_FIELDS,
  type AddonSortField,
  acceptDriftReplySchema,
  acceptManifestDriftReplySchema,
  addonDetailSchema,
  addonSchema,
} from './views.ts';

const clusterParams = z.object({ id: z.string().min(1).max(200) });
const addonParams = clusterParams.extend({ name: z.string().min(1).max(253) });
const operation = operationDetailSchema.describe('the operation started');

export function registerAddonRoutes(
  app: FastifyInstance,
  o: { addons: AddonsService; valuesEncryption?: ValuesEncryption },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/clusters/:id/addons',
    {
      schema: {
        tags: ['addons'],
        summary:
          'The cluster’s add-ons: chart, version, namespace, stack, state, health, engine, last updated',
        params: clusterParams,
        querystring: listQuerySchema(ADDON_SORT_FIELDS, 'name'),
        response: { 200: pageSchema(addonSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.addons.list(userOf(req), req.params.id, 'addon', pageRequest<AddonSortField>(req.query)),
  );

  r.get(
    '/api/v1/clusters/:id/manifests',
    {
      schema: {
        tags: ['addons'],
        summary: 'The cluster’s manifests with their state',
        params: clusterParams,
        querystring: listQuerySchema(ADDON_SORT_FIELDS, 'name'),
        response: { 200: pageSchema(addonSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) =>
      o.addons.list(userOf(req), req.params.id, 'manifest', pageRequest<AddonSortField>(req.query)),
  );

  r.get(
    '/api/v1/clusters/:id/manifests/:name/accept-drift',
    {
      schema: {
        tags: ['addons'],
        summary:
          'Accept drift for a manifest: the patch to its file in Git that would make Git equal to the cluster, naming the field managers',
        params: addonParams,
        response: { 200: acceptManifestDriftReplySchema, 404: errorBodySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.addons.acceptManifestDrift(userOf(req), req.params.id, req.params.name),
  );

  r.get(
    '/api/v1/clusters/:id/stacks',
    {
      schema: {
        tags: ['addons'],
        summary:
          'The cluster’s stacks in deploy-wave order; each member with its parents, its layer in the stack’s DAG and its state',
        params: clusterParams,
        response: { 200: stacksViewSchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.addons.stacks(userOf(req), req.params.id),
  );

  r.get(
    '/api/v1/clusters/:id/addons/:name',
    {
      schema: {
        tags: ['addons'],
        summary:
          'One add-on: masked values, Helm history, recent events and the resource tree (asked from the agent)',
        params: addonParams,
        response: { 200: addonDetailSchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.addons.detail(userOf(req), req.params.id, req.params.name),
  );

  r.post(
    '/api/v1/clusters/:id/addons/:name/sync',
    {
      schema: {
        tags: ['addons'],
        summary: 'Deploy the add-on again from the definition (an operation)',
        params: addonParams,
        body: z.union([z.undefined(), z.null(), z.object({}).strict()]),
        response: { 202: operation },
      },
      config: { access: { role: 'operator' } },
    },
    async (req, reply) =>
      reply.code(202).send(await o.addons.sync(userOf(req), req.params.id, req.params.name)),
  );

  r.get(
    '/api/v1/clusters/:id/addons/:name/accept-drift',
    {
      schema: {
        tags: ['addons'],
        summary:
          'Accept drift: the values change that would make Git equal to the cluster, as a patch, naming the field managers',
        params: addonParams,
        response: { 200: acceptDriftReplySchema, 404: errorBodySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.addons.acceptDrift(userOf(req), req.params.id, req.params.name),
  );

  r.post(
    '/api/v1/clusters/:id/addons/:name/rollback',
    {
      schema: {
        tags: ['addons'],
        summary: 'Roll the add-on’s Helm release back to a revision (an operation)',
        params: addonParams,
        body: z.object({ revision: z.number().int().min(1) }).strict(),
        response: { 202: operation },
      },
      config: { access: { role: 'operator' } },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await o.addons.rollback(userOf(req), req.params.id, req.params.name, req.body.revision)),
  );

  r.post(
    '/api/v1/clusters/:id/addons/:name/uninstall',
    {
      schema: {
        tags: ['addons'],
        summary: 'Uninstall the add-on’s Helm release (an operation); the definition is unchanged',
        params: addonParams,
        body: z.union([z.undefined(), z.null(), z.object({}).strict()]),
        response: { 202: operation },
      },
      config: { access: { role: 'operator' } },
    },
    async (req, reply) =>
      reply.code(202).send(await o.addons.uninstall(userOf(req), req.params.id, req.params.name)),
  );

  const encryption = o.valuesEncryption;
  if (encryption)
    r.post(
      '/api/v1/clusters/:id/addons/:name/values/encrypt',
      {
        schema: {
          tags: ['addons'],
          summary:
            'Preview SOPS encryption of chosen keys of the add-on’s values: the values file a Stack Builder draft adding them to `encrypted_paths` would commit, encrypted now for the age recipients of the repository’s `.sops.yaml` (nothing stored; no plaintext of a chosen key returned)',
          params: addonParams,
          body: encryptValuesBodySchema,
          response: {
            200: encryptedValuesSchema,
            404: errorBodySchema,
            409: errorBodySchema,
            400: errorBodySchema,
            502: errorBodySchema,
          },
        },
        config: { access: { role: 'operator' } },
      },
      async (req) => encryption.encrypt(userOf(req), req.params.id, req.params.name, req.body.paths),
    );
}
