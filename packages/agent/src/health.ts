import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BusStatus } from '@mooring/bus';
import type { ApiReachability } from './apiHealth.ts';
import type { Logger } from './logger.ts';
import type { AgentMetrics } from './metrics.ts';

// `node:http` through process.getBuiltinModule, not an import: Node makes an ES module of `node:http` by
// reading all its exports, and its WebSocket, CloseEvent and MessageEvent getters load undici (≈ 4 MiB
// of resident memory the agent does not use).
const { createServer } = process.getBuiltinModule('node:http');

/** Whether the agent can do its work, and why not. */
export interface Readiness {
  ready: boolean;
  /** Why not ready (absent when ready). */
  reason?: string;
  bus: BusStatus | 'starting';
  first_sweep_done: boolean;
  /** Whether the cluster's API server answers (absent before the first probe). */
  kubernetes?: 'reachable' | 'unreachable';
  /** Since when the API server has not answered, and why (while unreachable). */
  kubernetes_unreachable_since?: string;
  kubernetes_error?: string;
}

/**
 * Pure: ready only when the bus is connected, the API server answers, the first sweep
 * finished and the agent is not stopping.
 */
export function readiness(s: {
  bus: BusStatus | 'starting';
  firstSweepDone: boolean;
  stopping: boolean;
  kubernetes?: ApiReachability;
}): Readiness {
  const k = s.kubernetes;
  const base: Omit<Readiness, 'ready'> = {
    bus: s.bus,
    first_sweep_done: s.firstSweepDone,
    ...(k?.since
      ? k.reachable
        ? { kubernetes: 'reachable' as const }
        : {
            kubernetes: 'unreachable' as const,
            kubernetes_unreachable_since: k.since,
            ...(k.error ? { kubernetes_error: k.error } : {}),
          }
      : {}),
  };
  if (s.stopping) return { ready: false, reason: 'stopping', ...base };
  if (s.bus !== 'connected') return { ready: false, reason: `bus is ${s.bus}`, ...base };
  if (k && !k.reachable)
    return {
      ready: false,
      reason: `the Kubernetes API server is unreachable since ${k.since}`,
      ...base,
    };
  if (!s.firstSweepDone)
    return { ready: false, reason: 'the first reconcile sweep has not finished', ...base };
  return { ready: true, ...base };
}

export interface HealthServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default: all interfaces (the kubelet probes the pod IP). */
  host?: string;
  readiness: () => Readiness;
  metrics: () => AgentMetrics | undefined;
  logger: Logger;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: import('node:http').ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** `/livez` (200 while the process runs), `/readyz` (200 or 503 with a JSON reason), `/metrics` (Prometheus text). */
export async function startHealthServer(o: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    if (path === '/livez') {
      send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    } else if (path === '/readyz') {
      const r = o.readiness();
      send(res, r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r)}\n`);
    } else if (path === '/metrics') {
      const m = o.metrics();
      if (!m) {
        send(res, 503, 'text/plain; charset=utf-8', 'starting\n');
        return;
      }
      m.render().then(
        (text) => send(res, 200, m.contentType, text),
        (e: unknown) => {
          o.logger.error({ err: e }, 'rendering metrics failed');
          send(res, 500, 'text/plain; charset=utf-8', 'metrics failed\n');
        },
      );
    } else {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  });
  // probes are short: never let an idle keep-alive connection hold up a stop
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  o.logger.info({ port }, 'health server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
