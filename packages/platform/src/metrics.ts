import { timingSafeEqual } from 'node:crypto';
import { reconcileLagSeconds } from '@mooring/bus';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from './clock.ts';
import { clusterState } from './clusters/state.ts';
import type { Database } from './db/types.ts';
import { UnauthenticatedError } from './errors.ts';
import { clusterLiveness } from './heartbeats/queries.ts';

export const METRICS_PATH = '/metrics';

/**
 * The platform's Prometheus metrics, in one registry of its own (never prom-client's
 * global one). Per-cluster gauges are read from the database at each scrape, so every
 * replica answers the same.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly operations: Counter<'type' | 'result'>;
  readonly clusterOnline: Gauge<'cluster_id'>;
  readonly reconcileLag: Gauge<'cluster_id'>;
  readonly schedulerLeader: Gauge;

  constructor(o: { db: Database; clock: Clock }) {
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: 'mooring_http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.operations = new Counter({
      name: 'mooring_operations_total',
      help: 'Operations finished by this replica, by type and result (success, failed, cancelled, timeout)',
      labelNames: ['type', 'result'],
      registers,
    });
    this.clusterOnline = new Gauge({
      name: 'mooring_cluster_online',
      help: '1 when the cluster’s agent checked in within the last 30 s, else 0',
      labelNames: ['cluster_id'],
      registers,
      async collect() {
        const now = o.clock();
        this.reset();
        for (const c of await clusterLiveness(o.db)) {
          this.set({ cluster_id: c.id }, clusterState(c.last_check_in, now) === 'online' ? 1 : 0);
        }
      },
    });
    this.reconcileLag = new Gauge({
      name: 'mooring_native_engine_reconcile_loop_lag_seconds',
      help: 'Seconds since the cluster’s last reconcile sweep finished (+Inf: never heard from)',
      labelNames: ['cluster_id'],
      registers,
      async collect() {
        const now = o.clock();
        this.reset();
        for (const c of await clusterLiveness(o.db)) {
          const last = c.last_sweep_at ? { last_sweep_at: c.last_sweep_at.toISOString() } : undefined;
          this.set({ cluster_id: c.id }, reconcileLagSeconds(last, now));
        }
      },
    });
    this.schedulerLeader = new Gauge({
      name: 'mooring_scheduler_leader',
      help: '1 while this replica schedules the reconcile sweeps, else 0',
      registers,
    });
  }

  operationFinished(type: string, result: string): void {
    this.operations.inc({ type, result });
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `GET /metrics` (outside `/api/v1`): public, or with `token` set only for
 * `Authorization: Bearer <token>`; and the HTTP latency of every request.
 */
export function registerMetrics(app: FastifyInstance, o: { metrics: PlatformMetrics; token?: string }): void {
  app.addHook('onResponse', async (request, reply) => {
    o.metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.get(
    METRICS_PATH,
    { schema: { hide: true }, config: { access: { public: true } } },
    async (request, reply) => {
      if (o.token) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
        if (!m?.[1] || !sameSecret(m[1], o.token)) {
          throw new UnauthenticatedError('GET /metrics needs the metrics token (MOORING_METRICS_TOKEN)');
        }
      }
      const text = await o.metrics.registry.metrics();
      return reply.type(o.metrics.registry.contentType).send(text);
    },
  );
}
