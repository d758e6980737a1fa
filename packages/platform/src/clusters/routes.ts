import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agentOf, userOf } from '../auth/guard.ts';
import { inIngestLane } from '../db/lanes.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import { listQuerySchema, pageRequest, pageSchema } from '../http/pagination.ts';
import type { StartInput } from '../operations/service.ts';
import { DEFAULT_DEFINITION_PATH } from './definition.ts';
import { CLUSTER_SORT_FIELDS, type ClusterSortField } from './queries.ts';
import type { ClustersService } from './service.ts';
import { clusterSchema } from './views.ts';

/** YAML bodies of `POST /clusters` arrive as `{ definition: <text> }`. */
export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

const id = z.object({ id: z.string().min(1).max(200) });
const diagnostic = errorBodySchema.shape.error.shape.diagnostics.unwrap().element;
const agentInstall = {
  agent_token: z.string().describe('shown once: the agent authenticates with it'),
  install_command: z
    .string()
    .describe('`helm upgrade --install mooring-agent ...` with the token; shown once'),
};

/** What the import route starts: the first deploy, as an operation (see `importOperation`). */
export interface ImportOperations {
  start(input: StartInput): Promise<{ id: string }>;
}

/**
 * The import of a cluster is an operation: its one step deploys the imported
 * definition. The command waits in the cluster's queue until the agent is
 * installed and connects (a day at most, then the step times out).
 */
export function importOperation(
  clusterId: string,
  name: string,
  userId: string,
  definition: { path: string; files: Record<string, string> },
): StartInput {
  return {
    clusterId,
    type: 'import',
    payload: { cluster: name },
    createdBy: userId,
    steps: [{ name: `deploy ${name}`, kind: 'apply', payload: definition, timeoutSeconds: 86_400 }],
  };
}

export function registerClusterRoutes(
  app: FastifyInstance,
  o: { clusters: ClustersService; operations?: ImportOperations },
): void {
  app.addContentTypeParser(
    YAML_CONTENT_TYPES,
    { parseAs: 'string', bodyLimit: 4 * 1024 * 1024 },
    (_req, body, done) => done(null, { definition: body }),
  );
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/clusters',
    {
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags: ['clusters'],
        summary: 'Import a cluster from an ImportCluster definition',
        description:
          'JSON `{definition, path?, files?}`, or the YAML itself with `Content-Type: application/yaml`. ' +
          'An invalid definition stores nothing and answers 422 with every diagnostic (file, line, column, path, code, message, hint). ' +
          'The answer carries the agent token and its install command, once.',
        body: z.object({
          definition: z
            .string()
            .min(1)
            .max(4 * 1024 * 1024)
            .describe('the ImportCluster text, YAML or JSON'),
          path: z
            .string()
            .min(1)
            .max(1024)
            .optional()
            .describe(`its repository path (default ${DEFAULT_DEFINITION_PATH})`),
          files: z
            .record(z.string().min(1).max(1024), z.string().max(4 * 1024 * 1024))
            .optional()
            .describe('other repository files it reads through from_file and include, by path'),
        }),
        response: {
          201: z.object({
            cluster: clusterSchema,
            warnings: z.array(diagnostic),
            ...agentInstall,
            operation_id: z
              .string()
              .optional()
              .describe('the import operation: the first deploy, which runs once the agent connects'),
          }),
          409: errorBodySchema,
          422: errorBodySchema,
        },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => {
      const p = userOf(req);
      const r = await o.clusters.import(p, req.body);
      const op = o.operations
        ? await o.operations.start(
            importOperation(
              r.cluster.id,
              r.cluster.name,
              p.userId,
              await o.clusters.definition(p, r.cluster.id),
            ),
          )
        : undefined;
      return reply.code(201).send({ ...r, ...(op ? { operation_id: op.id } : {}) });
    },
  );

  r.get(
    '/api/v1/clusters',
    {
      schema: {
        tags: ['clusters'],
        summary: 'The organisation’s clusters',
        querystring: listQuerySchema(CLUSTER_SORT_FIELDS, 'name'),
        response: { 200: pageSchema(clusterSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.clusters.list(userOf(req), pageRequest<ClusterSortField>(req.query)),
  );

  r.get(
    '/api/v1/clusters/:id',
    {
      schema: { tags: ['clusters'], summary: 'One cluster', params: id, response: { 200: clusterSchema } },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.clusters.get(userOf(req), req.params.id),
  );

  r.get(
    '/api/v1/clusters/:id/definition',
    {
      schema: {
        tags: ['clusters'],
        summary: 'The stored definition: its path and every file it read',
        params: id,
        response: { 200: z.object({ path: z.string(), files: z.record(z.string(), z.string()) }) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.clusters.definition(userOf(req), req.params.id),
  );

  r.delete(
    '/api/v1/clusters/:id',
    {
      schema: {
        tags: ['clusters'],
        summary: 'Forget a cluster and disconnect its agent; nothing in the cluster is changed',
        params: id,
        response: { 204: z.undefined().describe('done') },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => {
      await o.clusters.remove(userOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/clusters/:id/agent-token',
    {
      schema: {
        tags: ['clusters'],
        summary: 'Replace the agent token (the old one stops working); answers the new install command once',
        params: id,
        body: z.union([z.undefined(), z.null(), z.object({}).strict()]),
        response: { 200: z.object({ cluster: clusterSchema, ...agentInstall }) },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.clusters.regenerateAgentToken(userOf(req), req.params.id),
  );

  r.post(
    '/api/v1/agent/check-in',
    {
      schema: {
        tags: ['agent'],
        summary: 'An agent reports in (authenticated by its agent token)',
        body: z.object({
          agent_version: z.string().min(1).max(100),
          kubernetes_version: z.string().min(1).max(100),
          node_count: z.number().int().min(0).max(1_000_000),
          region: z.string().max(200).nullable().optional(),
          public_ip: z
            .union([z.ipv4(), z.ipv6()])
            .optional()
            .describe('the public egress IP, when the agent reports it'),
          bus_credentials: z
            .boolean()
            .optional()
            .describe('ask for new bus credentials (default true); false while the last ones are fresh'),
          argocd_connected: z
            .boolean()
            .optional()
            .describe(
              'false: the agent has no Argo CD connection (it restarted); the stored one is answered',
            ),
        }),
        response: {
          200: z.object({
            cluster_id: z.string(),
            state: z.enum(['online', 'offline']),
            bus: z
              .record(z.string(), z.unknown())
              .optional()
              .describe('credentials for this cluster’s bus subjects'),
            argocd: z
              .object({
                url: z.string(),
                namespace: z.string(),
                deletion: z.string(),
                token: z.string(),
              })
              .optional()
              .describe('the stored Argo CD connection (its token is secret), when the agent has none'),
          }),
        },
      },
      config: { access: { agent: true } },
      // every agent every 15 s: a routine check-in logs nothing (two lines each at info before);
      // a refused or failed one is a warning
      logLevel: 'warn',
      onResponse: async (req, reply) => {
        if (reply.statusCode >= 400)
          req.log.warn(
            { status: reply.statusCode, took_ms: Math.round(reply.elapsedTime) },
            'agent check-in refused',
          );
      },
    },
    async (req) => inIngestLane(() => o.clusters.checkIn(agentOf(req), req.body)),
  );
}
