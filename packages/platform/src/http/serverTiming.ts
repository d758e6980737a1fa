import type { FastifyInstance, FastifyRequest } from 'fastify';
import { newQueryTiming, type QueryTiming, serverTimingHeader, withQueryTiming } from '../db/queryTiming.ts';

const timings = new WeakMap<FastifyRequest, QueryTiming & { startedAt: number }>();

/**
 * `Server-Timing` on every response (`MOORING_SERVER_TIMING=true`): the request's database time
 * (`db`: connections held, with the number of queries), its waits for a pool connection (`pool`)
 * and the whole (`total`), as browsers' developer tools and benchmarks read them. Durations only.
 */
export function registerServerTiming(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const t = { ...newQueryTiming(), startedAt: performance.now() };
    timings.set(request, t);
    withQueryTiming(t, done);
  });
  // a body is parsed from stream events outside the request's context: enter it again for the handler
  app.addHook('preHandler', (request, _reply, done) => {
    const t = timings.get(request);
    if (t) withQueryTiming(t, done);
    else done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const t = timings.get(request);
    if (t) reply.header('server-timing', serverTimingHeader(t, performance.now() - t.startedAt));
    done(null, payload);
  });
}
