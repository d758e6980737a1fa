// Reads the platform's own /metrics during a benchmark: event loop delay, database pool use and
// waits, bus handler time per consumer, and per-route server time, sampled every few seconds.
import { loadavg } from 'node:os';

/** One scrape, reduced to what the benchmark reports. */
export interface MetricsScrape {
  at: number;
  loadAverage1m: number;
  scrapeMs: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  poolInUse: number;
  poolWaiting: number;
  /** Cumulative: connection hand-outs and the seconds waited for them. */
  poolAcquire: { count: number; sum: number };
  /** Cumulative per consumer (heartbeats, results). */
  busHandler: Record<string, { count: number; sum: number }>;
  /** Cumulative per `METHOD route` with status 200. */
  http: Record<string, { count: number; sum: number }>;
}

function parse(text: string, at: number, scrapeMs: number): MetricsScrape {
  const out: MetricsScrape = {
    at,
    loadAverage1m: loadavg()[0] ?? 0,
    scrapeMs,
    eventLoopP99Ms: Number.NaN,
    eventLoopMaxMs: Number.NaN,
    poolInUse: Number.NaN,
    poolWaiting: Number.NaN,
    poolAcquire: { count: 0, sum: 0 },
    busHandler: {},
    http: {},
  };
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const [, name, labels = '', raw] = m;
    const v = Number(raw);
    const label = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(labels)?.[1];
    if (name === 'mooring_event_loop_delay_seconds') {
      if (label('quantile') === '0.99') out.eventLoopP99Ms = v * 1000;
      if (label('quantile') === '1') out.eventLoopMaxMs = v * 1000;
    } else if (name === 'mooring_database_pool_in_use') out.poolInUse = v;
    else if (name === 'mooring_database_pool_waiting') out.poolWaiting = v;
    else if (name === 'mooring_database_pool_acquire_seconds_count') out.poolAcquire.count += v;
    else if (name === 'mooring_database_pool_acquire_seconds_sum') out.poolAcquire.sum += v;
    else if (name?.startsWith('mooring_bus_handler_duration_seconds_')) {
      const k = label('consumer') ?? '?';
      out.busHandler[k] ??= { count: 0, sum: 0 };
      if (name.endsWith('_count')) out.busHandler[k].count += v;
      if (name.endsWith('_sum')) out.busHandler[k].sum += v;
    } else if (name?.startsWith('mooring_http_request_duration_seconds_') && label('status') === '200') {
      const k = `${label('method')} ${label('route')}`;
      out.http[k] ??= { count: 0, sum: 0 };
      if (name.endsWith('_count')) out.http[k].count += v;
      if (name.endsWith('_sum')) out.http[k].sum += v;
    }
  }
  return out;
}

/** Scrapes `${base}/metrics` every `everyMs` until stopped; failed scrapes are skipped. */
export function startMetricsScraper(base: string, everyMs = 5000) {
  const scrapes: MetricsScrape[] = [];
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const t0 = performance.now();
    fetch(`${base}/metrics`, { signal: AbortSignal.timeout(30_000) })
      .then((r) => r.text())
      .then((text) => scrapes.push(parse(text, Date.now(), performance.now() - t0)))
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  return {
    scrapes,
    latest: () => scrapes.at(-1),
    stop: () => clearInterval(timer),
  };
}

const pct = (values: number[], p: number) => {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const r1 = (n: number) => Math.round(n * 10) / 10;
const meanMs = (a?: { count: number; sum: number }, b?: { count: number; sum: number }) => {
  const n = (b?.count ?? 0) - (a?.count ?? 0);
  return n > 0 ? r1((((b?.sum ?? 0) - (a?.sum ?? 0)) / n) * 1000) : Number.NaN;
};

/** What the scrapes between two times say: delays, pool pressure, handler and route means. */
export function metricsBetween(scrapes: MetricsScrape[], from: number, to: number) {
  const inPhase = scrapes.filter((s) => s.at >= from && s.at <= to);
  const first = inPhase[0];
  const last = inPhase.at(-1);
  const consumers = Object.keys(last?.busHandler ?? {});
  const routes = Object.keys(last?.http ?? {});
  const span = first && last ? (last.at - first.at) / 1000 : 0;
  return {
    scrapes: inPhase.length,
    loadAverage1m: {
      mean: r1(inPhase.reduce((a, s) => a + s.loadAverage1m, 0) / Math.max(1, inPhase.length)),
    },
    eventLoopDelayMs: {
      p99OfScrapesP50: r1(
        pct(
          inPhase.map((s) => s.eventLoopP99Ms),
          50,
        ),
      ),
      p99OfScrapesMax: r1(Math.max(0, ...inPhase.map((s) => s.eventLoopP99Ms).filter(Number.isFinite))),
      max: r1(Math.max(0, ...inPhase.map((s) => s.eventLoopMaxMs).filter(Number.isFinite))),
    },
    pool: {
      inUseMax: Math.max(0, ...inPhase.map((s) => s.poolInUse).filter(Number.isFinite)),
      waitingMax: Math.max(0, ...inPhase.map((s) => s.poolWaiting).filter(Number.isFinite)),
      acquireMeanMs: meanMs(first?.poolAcquire, last?.poolAcquire),
      acquiresPerSecond:
        span > 0 ? r1(((last?.poolAcquire.count ?? 0) - (first?.poolAcquire.count ?? 0)) / span) : 0,
    },
    busHandlerMeanMs: Object.fromEntries(
      consumers.map((c) => [c, meanMs(first?.busHandler[c], last?.busHandler[c])]),
    ),
    busHandledPerSecond: Object.fromEntries(
      consumers.map((c) => [
        c,
        span > 0 ? r1(((last?.busHandler[c]?.count ?? 0) - (first?.busHandler[c]?.count ?? 0)) / span) : 0,
      ]),
    ),
    routeMeanMs: Object.fromEntries(
      routes
        .map((k) => [k, meanMs(first?.http[k], last?.http[k])] as const)
        .filter(([, v]) => Number.isFinite(v)),
    ),
    scrapeMsP50: r1(
      pct(
        inPhase.map((s) => s.scrapeMs),
        50,
      ),
    ),
  };
}
