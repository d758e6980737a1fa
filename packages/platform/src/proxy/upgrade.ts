import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { accessDecision } from '../auth/guard.ts';
import type { AuthService } from '../auth/service.ts';
import type { ClustersService } from '../clusters/service.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors.ts';
import { impersonationFor } from './grants.ts';
import type { GrantsService } from './grantsService.ts';
import { apiServerPath, passedHeaders } from './request.ts';
import { type KubeTunneler, refuseUpgrade } from './tunnel.ts';

/** Request headers of a WebSocket or SPDY handshake, passed to the agent. */
const HANDSHAKE = [
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'x-stream-protocol-version',
];

/** The handshake headers of an upgrade request (pure). */
export function handshakeHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of HANDSHAKE) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

const K8S_UPGRADE_PATH = /^\/api\/v1\/clusters\/([^/?]+)\/k8s\//;

export interface UpgradeParts {
  auth: AuthService;
  clusters: ClustersService;
  grants: GrantsService;
  tunneler: KubeTunneler;
  logger: Logger;
}

/**
 * Upgrades on `/api/v1/clusters/{id}/k8s/...` (`kubectl exec`, `attach`, `port-forward`):
 * the same checks as every request through the proxy (a bearer token of a viewer or more, the
 * cluster, a grant), then a tunnel through the cluster's agent. Other upgrade paths are left
 * to other listeners, or refused when there is none.
 */
export function registerKubeUpgrades(app: FastifyInstance, o: UpgradeParts): void {
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '';
    const m = K8S_UPGRADE_PATH.exec(url);
    if (!m) {
      if (app.server.listenerCount('upgrade') === 1)
        refuseUpgrade(socket, 404, 'NotFound', 'no upgrade here');
      return;
    }
    socket.on('error', () => socket.destroy());
    void kubeUpgrade(o, decodeURIComponent(m[1]!), url, req, socket, head).catch((err: unknown) => {
      if (err instanceof UnauthenticatedError) return refuseUpgrade(socket, 401, 'Unauthorized', err.message);
      if (err instanceof ForbiddenError) return refuseUpgrade(socket, 403, 'Forbidden', err.message);
      if (err instanceof NotFoundError) return refuseUpgrade(socket, 404, 'NotFound', err.message);
      o.logger.error({ err }, 'kubectl upgrade failed');
      refuseUpgrade(socket, 500, 'InternalError', 'the platform could not open the connection');
    });
  });
}

async function kubeUpgrade(
  o: UpgradeParts,
  id: string,
  url: string,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const auth = req.headers.authorization;
  const secret = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
  const principal = secret ? await o.auth.authenticate(secret) : undefined;
  const refusal = accessDecision({ role: 'viewer' }, principal);
  if (refusal) throw refusal;
  const p = principal!;
  const cluster = await o.clusters.get(p, id);
  const path = apiServerPath(url)!;
  const grant = await o.grants.of(p, cluster.id);
  if (!grant)
    throw new ForbiddenError(
      `user "mooring:${p.username}" has no access to cluster "${cluster.name}" through Mooring`,
    );
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw new NotFoundError('upgrade method', method);
  await o.tunneler.open(
    cluster.id,
    {
      method,
      path,
      headers: passedHeaders(req.headers),
      upgrade: handshakeHeaders(req.headers),
      impersonate: impersonationFor(p.username, grant),
    },
    socket,
    head,
  );
}
