import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import type { AuthService } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import type { ClustersService } from '../clusters/service.ts';
import type { KubeForwarder } from './forward.ts';
import { GRANT_ROLES, grantBodySchema, impersonationFor } from './grants.ts';
import type { GrantsService } from './grantsService.ts';
import { apiServerPath, isDiscovery, isStream, kubeStatus, passedHeaders } from './request.ts';
import type { KubeTunneler } from './tunnel.ts';
import { registerKubeUpgrades } from './upgrade.ts';

/** How long a token from `kube-token` lasts. */
export const KUBE_TOKEN_TTL_SECONDS = 15 * 60;
/** The largest request body passed to the API server. */
const KUBE_BODY_LIMIT = 16 * 1024 * 1024;

const clusterParams = z.object({ id: z.string().min(1).max(200) });
const grantParams = clusterParams.extend({ user_id: z.string().min(1).max(200) });
const grantSchema = z.object({
  cluster_id: z.string(),
  user_id: z.string(),
  username: z.string(),
  role: z.enum(GRANT_ROLES),
  namespace: z.string().nullable(),
  created_by: z.string(),
  updated_at: z.string(),
});

export interface ProxyRouteParts {
  clusters: ClustersService;
  grants: GrantsService;
  auth: AuthService;
  forwarder: KubeForwarder;
  /** Upgrades (exec, attach, port-forward) through the agent. */
  tunneler: KubeTunneler;
  clock: Clock;
  logger: Logger;
}

/**
 * Access grants (`/clusters/:id/grants`), short-lived tokens for kubectl
 * (`/clusters/:id/kube-token`) and the Kubernetes API of a cluster through its agent
 * (`/clusters/:id/k8s/...`).
 */
export async function registerProxyRoutes(app: FastifyInstance, o: ProxyRouteParts): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/clusters/:id/grants',
    {
      schema: {
        tags: ['kubectl'],
        summary: 'Who may use the cluster through the kubectl proxy, and how',
        params: clusterParams,
        response: { 200: z.object({ items: z.array(grantSchema) }) },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => ({ items: await o.grants.list(userOf(req), req.params.id) }),
  );

  r.put(
    '/api/v1/clusters/:id/grants/:user_id',
    {
      schema: {
        tags: ['kubectl'],
        summary:
          'Set a user’s access to the cluster through the kubectl proxy: view, edit, admin or cluster-admin, optionally in one namespace',
        params: grantParams,
        body: grantBodySchema,
        response: { 200: grantSchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) =>
      o.grants.put(userOf(req), req.params.id, req.params.user_id, {
        role: req.body.role,
        namespace: req.body.namespace ?? null,
      }),
  );

  r.delete(
    '/api/v1/clusters/:id/grants/:user_id',
    {
      schema: { tags: ['kubectl'], summary: 'Remove a user’s access to the cluster', params: grantParams },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => {
      await o.grants.remove(userOf(req), req.params.id, req.params.user_id);
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/clusters/:id/kube-token',
    {
      schema: {
        tags: ['kubectl'],
        summary: `A token for kubectl and Helm through the platform, valid ${KUBE_TOKEN_TTL_SECONDS / 60} minutes (read scope)`,
        params: clusterParams,
        body: z.union([z.undefined(), z.null(), z.object({}).strict()]),
        response: { 200: z.object({ token: z.string(), expires_at: z.string() }) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => {
      const p = userOf(req);
      const cluster = await o.clusters.get(p, req.params.id);
      const expires = new Date(o.clock().getTime() + KUBE_TOKEN_TTL_SECONDS * 1000).toISOString();
      const t = await o.auth.createToken(p, {
        name: `kube:${cluster.name}`,
        scopes: ['read'],
        expires_at: expires,
      });
      return { token: t.secret, expires_at: expires };
    },
  );

  registerKubeUpgrades(app, {
    auth: o.auth,
    clusters: o.clusters,
    grants: o.grants,
    tunneler: o.tunneler,
    logger: o.logger,
  });

  // the Kubernetes API: bodies of any type go through untouched
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: KUBE_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/api/v1/clusters/:id/k8s/*',
      schema: { hide: true },
      bodyLimit: KUBE_BODY_LIMIT,
      config: { access: { role: 'viewer' } },
      handler: (req, reply) => kubeRequest(o, req, reply),
    });
  });
}

function sendStatus(reply: FastifyReply, code: number, reason: string, message: string): FastifyReply {
  return reply
    .code(code)
    .header('content-type', 'application/json')
    .send(kubeStatus(code, reason, message));
}

async function kubeRequest(
  o: ProxyRouteParts,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const p = userOf(req);
  const { id } = req.params as { id: string };
  const cluster = await o.clusters.get(p, id);
  const path = apiServerPath(req.url);
  if (!path) return sendStatus(reply, 404, 'NotFound', 'not a Kubernetes API path');
  const grant = await o.grants.of(p, cluster.id);
  if (!grant && !isDiscovery(req.method, path))
    return sendStatus(
      reply,
      403,
      'Forbidden',
      `user "mooring:${p.username}" has no access to cluster "${cluster.name}" through Mooring; an admin grants it with PUT /api/v1/clusters/${cluster.id}/grants/${p.userId}`,
    );
  const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body.toString('base64') : undefined;
  const answer = await o.forwarder.forward(
    cluster.id,
    {
      method: req.method as 'GET',
      path,
      headers: passedHeaders(req.headers),
      ...(body !== undefined ? { body } : {}),
      impersonate: impersonationFor(p.username, grant),
      stream: isStream(req.method, path),
    },
    (onGone) => reply.raw.on('close', onGone),
  );
  reply.code(answer.status);
  for (const [k, v] of Object.entries(answer.headers)) reply.header(k, v);
  return reply.send(answer.body);
}
