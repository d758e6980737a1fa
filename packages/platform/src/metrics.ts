import { timingSafeEqual } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from './clock.ts';
import { clusterSeriesText } from './clusterSeries.ts';
import type { PoolMonitor } from './db/poolMonitor.ts';
import type { Database } from './db/types.ts';
import { UnauthenticatedError } from './errors.ts';
import { clusterLiveness } from './heartbeats/queries.ts';

export const METRICS_PATH = '/metrics';

/**
 * The platform's Prometheus metrics, in one registry of its own (never prom-client's
 * global one), and the per-cluster gauges (`clusterSeries.ts`), read from the database at
 * each scrape so every replica answers the same.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly operations: Counter<'type' | 'result'>;
  readonly schedulerLeader: Gauge;
  readonly eventLoopDelay: Gauge<'quantile'>;
  readonly busHandler: Histogram<'consumer'>;
  readonly #loop = monitorEventLoopDelay({ resolution: 10 });
  readonly #stops: (() => void)[] = [];
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(o: { db: Database; clock: Clock; pool?: PoolMonitor }) {
    this.#db = o.db;
    this.#clock = o.clock;
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
    this.schedulerLeader = new Gauge({
      name: 'mooring_scheduler_leader',
      help: '1 while this replica schedules the reconcile sweeps, else 0',
      registers,
    });
    const loop = this.#loop;
    loop.enable();
    this.#stops.push(() => loop.disable());
    this.eventLoopDelay = new Gauge({
      name: 'mooring_event_loop_delay_seconds',
      help: 'Event loop delay since the previous scrape (quantile 0.5, 0.99, 1 = max)',
      labelNames: ['quantile'],
      registers,
      collect() {
        const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
        this.set({ quantile: '0.5' }, s(loop.percentile(50)));
        this.set({ quantile: '0.99' }, s(loop.percentile(99)));
        this.set({ quantile: '1' }, s(loop.max));
        loop.reset();
      },
    });
    this.busHandler = new Histogram({
      name: 'mooring_bus_handler_duration_seconds',
      help: 'Time to handle one message from the agents’ bus, by consumer (heartbeats, results)',
      labelNames: ['consumer'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    if (o.pool) this.#poolMetrics(o.pool, registers);
  }

  #poolMetrics(pool: PoolMonitor, registers: Registry[]): void {
    const snapshot = () => pool.snapshot();
    const gauge = (name: string, help: string, read: (s: ReturnType<typeof snapshot>) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers,
        collect() {
          this.set({ pool: pool.name }, read(snapshot()));
        },
      });
    gauge('mooring_database_pool_max', 'Most connections the database pool opens', (s) => s.max);
    gauge('mooring_database_pool_connections', 'Database connections open (idle or in use)', (s) => s.total);
    gauge('mooring_database_pool_in_use', 'Database connections in use', (s) => s.total - s.idle);
    gauge('mooring_database_pool_waiting', 'Queries waiting for a database connection', (s) => s.waiting);
    gauge(
      'mooring_database_pool_ingest_in_use',
      'Database connections held by agents’ traffic (check-ins, heartbeats, results, scheduler)',
      (s) => s.ingestHeld,
    );
    gauge(
      'mooring_database_pool_ingest_waiting',
      'Agents’ traffic waiting for its share of the pool (the rest is kept for the API)',
      (s) => s.ingestWaiting,
    );
    const wait = new Histogram({
      name: 'mooring_database_pool_acquire_seconds',
      help: 'Time a query waited for a database connection',
      labelNames: ['pool'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#stops.push(pool.onAcquire((seconds) => wait.observe({ pool: pool.name }, seconds)));
  }

  /** Times one bus message's handling (for `mooring_bus_handler_duration_seconds`). */
  async timeHandler<T>(consumer: string, handle: () => Promise<T>): Promise<T> {
    const end = this.busHandler.startTimer({ consumer });
    try {
      return await handle();
    } finally {
      end();
    }
  }

  /**
   * The exposition text: the registry's metrics and the per-cluster gauges, read from the database
   * at each scrape (one query), so every replica answers the same.
   */
  async text(): Promise<string> {
    const [base, rows] = await Promise.all([this.registry.metrics(), clusterLiveness(this.#db)]);
    return `${base.endsWith('\n') ? base : `${base}\n`}\n${clusterSeriesText(rows, this.#clock())}`;
  }

  /** Stops the event loop monitor and the pool listener. */
  close(): void {
    for (const stop of this.#stops.splice(0)) stop();
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
      const text = await o.metrics.text();
      return reply.type(o.metrics.registry.contentType).send(text);
    },
  );
}
