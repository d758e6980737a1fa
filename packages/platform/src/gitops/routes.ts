import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import { listQuerySchema, pageRequest, pageSchema } from '../http/pagination.ts';
import {
  CREDENTIAL_SORT_FIELDS,
  type CredentialSortField,
  type CredentialsService,
  type NewCredential,
} from './credentials.ts';
import { previewSchema } from './preview.ts';
import { type GitopsService, SYNC_PAGE_SIZE, SYNC_SORT_FIELDS, type SyncSortField } from './service.ts';
import { gitopsStatusSchema, repositorySchema, syncRunSchema } from './views.ts';

const id = z.object({ id: z.string().min(1).max(200) });
const noBody = z.union([z.undefined(), z.null(), z.object({}).strict()]);
const secretText = (what: string, max = 16_384) =>
  z.string().min(1).max(max).describe(`${what} (secret: never returned)`);
const name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
  .describe('the name definitions use as `credential_name`');

const credentialBody = z.discriminatedUnion('kind', [
  z.strictObject({
    name,
    kind: z.literal('token'),
    token: secretText('an access token'),
    username: z.string().min(1).max(256).optional(),
  }),
  z.strictObject({
    name,
    kind: z.literal('basic'),
    username: z.string().min(1).max(256),
    password: secretText('the password'),
  }),
  z.strictObject({
    name,
    kind: z.literal('ssh_key'),
    private_key: secretText('an OpenSSH private key', 65_536),
    known_hosts: z.string().min(1).max(65_536).optional().describe('known_hosts lines for the server'),
  }),
  z.strictObject({
    name,
    kind: z.literal('bitbucket_oauth'),
    client_id: z.string().min(1).max(256),
    client_secret: secretText('the OAuth consumer secret'),
  }),
]);

const credentialSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['token', 'basic', 'ssh_key', 'bitbucket_oauth']),
    created_at: z.string(),
    updated_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .meta({ id: 'GitCredential' });

/** Git credentials, repositories and their webhook secrets, each cluster's sync status, Sync Now and history. */
export function registerGitopsRoutes(
  app: FastifyInstance,
  o: { gitops: GitopsService; credentials: CredentialsService },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/credentials',
    {
      schema: {
        tags: ['gitops'],
        summary: 'Store a Git credential by name (encrypted at rest; the secret is never returned)',
        body: credentialBody,
        response: { 201: credentialSchema, 409: errorBodySchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) =>
      reply.code(201).send(await o.credentials.create(userOf(req), req.body as NewCredential)),
  );

  r.get(
    '/api/v1/credentials',
    {
      schema: {
        tags: ['gitops'],
        summary: 'Git credentials: name, kind, created, last used (never a secret)',
        querystring: listQuerySchema(CREDENTIAL_SORT_FIELDS, 'name'),
        response: { 200: pageSchema(credentialSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.credentials.list(userOf(req), pageRequest<CredentialSortField>(req.query)),
  );

  r.delete(
    '/api/v1/credentials/:id',
    {
      schema: {
        tags: ['gitops'],
        summary: 'Delete a Git credential',
        params: id,
        response: { 204: z.undefined().describe('done') },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => {
      await o.credentials.remove(userOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/credentials/reencrypt',
    {
      schema: {
        tags: ['gitops'],
        summary:
          'Re-encrypt every credential and webhook secret under the current key (after a key rotation)',
        body: noBody,
        response: { 200: z.object({ credentials: z.number().int(), webhook_secrets: z.number().int() }) },
      },
      config: { access: { role: 'admin' } },
    },
    async () => o.credentials.reencryptAll(),
  );

  r.get(
    '/api/v1/repositories',
    {
      schema: {
        tags: ['gitops'],
        summary: 'Repositories feeding clusters (one per URL and branch), their webhook URL and last poll',
        response: { 200: z.object({ items: z.array(repositorySchema) }) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => ({ items: await o.gitops.repositories(userOf(req)) }),
  );

  r.put(
    '/api/v1/repositories/:id/webhook-secret',
    {
      schema: {
        tags: ['gitops'],
        summary: 'Set the repository’s webhook secret, or generate one; the answer shows it once',
        params: id,
        body: z.union([
          z.undefined(),
          z.null(),
          z.strictObject({
            secret: z.string().min(16).max(1024).optional().describe('absent: a random one'),
          }),
        ]),
        response: {
          200: z.object({ repository: repositorySchema, secret: z.string().describe('shown once') }),
        },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.gitops.setWebhookSecret(userOf(req), req.params.id, req.body?.secret),
  );

  r.get(
    '/api/v1/clusters/:id/gitops',
    {
      schema: {
        tags: ['gitops'],
        summary: 'The cluster’s sync status: phase, message, repository, commits observed and configured',
        params: id,
        response: { 200: gitopsStatusSchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.gitops.status(userOf(req), req.params.id),
  );

  r.post(
    '/api/v1/clusters/:id/sync',
    {
      schema: {
        tags: ['gitops'],
        summary: 'Sync Now: sync the branch head (queued behind a running sync)',
        params: id,
        body: noBody,
        response: { 202: gitopsStatusSchema, 409: errorBodySchema },
      },
      config: { access: { role: 'operator' } },
    },
    async (req, reply) => reply.code(202).send(await o.gitops.syncNow(userOf(req), req.params.id)),
  );

  r.post(
    '/api/v1/clusters/:id/preview',
    {
      schema: {
        tags: ['gitops'],
        summary:
          'Preview a branch, tag or commit: validated, then rendered by the agent against the live cluster (per-object diff); nothing is applied',
        params: id,
        body: z.strictObject({
          ref: z
            .string()
            .min(1)
            .max(255)
            .regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/, 'a branch, tag or commit SHA')
            .describe('a branch, tag or commit SHA of the cluster’s repository'),
        }),
        response: { 200: previewSchema, 404: errorBodySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'operator' } },
    },
    async (req) => o.gitops.preview(userOf(req), req.params.id, req.body.ref),
  );

  r.get(
    '/api/v1/clusters/:id/syncs',
    {
      schema: {
        tags: ['gitops'],
        summary: 'Sync history, newest first (10 per page by default, sortable by every column)',
        params: id,
        querystring: listQuerySchema(SYNC_SORT_FIELDS, '-started_at', SYNC_PAGE_SIZE),
        response: { 200: pageSchema(syncRunSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.gitops.history(userOf(req), req.params.id, pageRequest<SyncSortField>(req.query)),
  );

  // Webhook receivers: the raw body is kept for the signature, so these live in a scope of their own
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    const s = scope.withTypeProvider<ZodTypeProvider>();
    for (const route of ['github', 'bitbucket-cloud', 'bitbucket-dc'] as const) {
      s.post(
        `/api/v1/webhooks/${route}`,
        {
          bodyLimit: 10 * 1024 * 1024,
          schema: {
            tags: ['gitops'],
            summary: `Push events from ${route === 'github' ? 'GitHub' : route === 'bitbucket-cloud' ? 'Bitbucket Cloud' : 'Bitbucket Data Center'} (signed with the repository’s webhook secret)`,
            description:
              'The signature (`X-Hub-Signature-256` for GitHub, `X-Hub-Signature` for Bitbucket) must verify with the webhook secret of a repository the payload names; unsigned or badly signed deliveries are 401. A delivery id seen before is ignored.',
            body: z
              .string()
              .max(10 * 1024 * 1024)
              .describe('the provider’s JSON payload, as sent'),
            response: {
              202: z.object({
                status: z.enum(['accepted', 'duplicate', 'ignored', 'pong']),
                syncs: z.number().int().describe('clusters whose sync this delivery started or queued'),
                reason: z.string().optional(),
              }),
              401: errorBodySchema,
            },
          },
          config: { access: { public: true } },
        },
        async (req, reply) =>
          reply.code(202).send(
            await o.gitops.webhook(route, {
              headers: req.headers,
              body: typeof req.body === 'string' ? req.body : '',
              ip: req.ip,
            }),
          ),
      );
    }
  });
}
