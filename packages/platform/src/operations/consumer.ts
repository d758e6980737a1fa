import { type Bus, clusterIdOfSubject, RESULT_SUBJECTS, type Unsubscribe } from '@mooring/bus';
import type { Logger } from 'pino';
import type { OperationsService } from './service.ts';

/** Queue group of the platform replicas: each result is handled by one of them. */
export const RESULTS_QUEUE = 'mooring-platform-operations';

/**
 * Feeds `agent.results.*` to the operations and ends steps past their timeout every
 * `timeoutCheckMs`. When the bus comes back after a disconnection, every running step's
 * command is sent again with its idempotency key: a result the agent published while this
 * replica was away is lost with core NATS, and the agent answers the repeat from its record
 * (or waits for the work still running), never running the work twice. Returns a stop function.
 */
export async function startOperationsRuntime(o: {
  bus: Bus;
  operations: OperationsService;
  logger: Logger;
  timeoutCheckMs?: number;
  /** Times each message's handling (the metrics' bus handler histogram). */
  time?: <T>(consumer: string, handle: () => Promise<T>) => Promise<T>;
}): Promise<() => Promise<void>> {
  const time = o.time ?? ((_c, handle) => handle());
  const logger = o.logger.child({ component: 'operations' });
  const unsubscribe: Unsubscribe = await o.bus.subscribe(
    RESULT_SUBJECTS,
    async (m) => {
      const clusterId = clusterIdOfSubject(m.subject);
      if (!clusterId) return;
      const d = await time('results', () => o.operations.handleResult(clusterId, m.data));
      if ('ignored' in d && d.ignored)
        logger.debug({ subject: m.subject, reason: d.ignored }, 'result ignored');
    },
    {
      queue: RESULTS_QUEUE,
      onError: (err, subject) => logger.warn({ err, subject }, 'a command result could not be handled'),
    },
  );
  let checking = false;
  let lastStatus = o.bus.status();
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    const status = o.bus.status();
    const cameBack = lastStatus !== 'connected' && status === 'connected';
    lastStatus = status;
    const resend = cameBack
      ? o.operations.resumeAll().then((n) => {
          if (n > 0) logger.info({ operations: n }, 'the bus is back: running steps’ commands sent again');
        })
      : Promise.resolve();
    resend
      .catch((err: unknown) => logger.warn({ err }, 'sending running steps again failed'))
      .then(() => o.operations.checkTimeouts())
      .catch((err: unknown) => logger.warn({ err }, 'checking step timeouts failed'))
      .finally(() => {
        checking = false;
      });
  }, o.timeoutCheckMs ?? 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await unsubscribe().catch(() => undefined);
  };
}
