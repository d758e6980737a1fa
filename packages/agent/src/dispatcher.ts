import type { CommandQueue, ReceivedCommand } from '@mooring/bus';
import type { HandlerOutput, Pool } from './commands.ts';
import type { CommandHandler } from './handlers.ts';
import { type FinishedWork, IdempotencyRecord } from './idempotency.ts';
import type { Logger } from './logger.ts';
import type { AgentMetrics } from './metrics.ts';
import type { CommandResult } from './results.ts';
import { Semaphore } from './semaphore.ts';

export interface DispatcherOptions {
  clusterId: string;
  queue: CommandQueue;
  handlers: Record<string, CommandHandler>;
  /** The pool of each known kind. */
  pools: Readonly<Record<string, Pool>>;
  /** Commands taken from the queue at once (`nats_worker_max_workers`). */
  maxInFlight: number;
  readWorkers: number;
  writeWorkers: number;
  /** Publishes a settled command's result; a failure makes the command be delivered again. */
  publish(result: CommandResult): Promise<void>;
  metrics: AgentMetrics;
  logger: Logger;
  /**
   * How long one `next()` waits for a command (default 30 s): a long poll, so a command is taken
   * as soon as it is sent and an idle agent makes one pull request per interval; `stop()` ends it.
   */
  pollMs?: number;
  /** How often a running command tells the queue it is still alive (default 10 s; keep under the ack wait). */
  workingIntervalMs?: number;
  /** Redelivery delay after a crash (default 5 s). */
  retryDelayMs?: number;
  /**
   * How long an ack that fails (the bus is down) is tried again, once a second, before the
   * command is left to be delivered again (default 60 s; the keep-alive goes on meanwhile).
   */
  ackRetryMs?: number;
  /** A command that crashed on this many deliveries is answered with a failure and acked (default 5). */
  maxDeliveries?: number;
  /** Work done by idempotency key (default: a record of the last 1000 keys). */
  idempotency?: IdempotencyRecord;
}

/** How long one pull for a command waits (a long poll). */
export const DEFAULT_POLL_MS = 30_000;
/** The pause after a failed take before the next. */
const RETRY_TAKE_MS = 1000;

const sleep = (ms: number) =>
  new Promise<void>((r) => {
    setTimeout(r, ms).unref();
  });

/**
 * Takes commands from the cluster's durable queue and runs them: at most
 * `maxInFlight` taken at once, write commands at most `writeWorkers` at a time and
 * read commands `readWorkers`, the rest waiting. A command is acked only after
 * its result is published; a crash naks it with a delay so it is delivered again.
 */
export class CommandDispatcher {
  readonly #o: DispatcherOptions;
  readonly #inFlight: Semaphore;
  readonly #pools: Record<Pool, Semaphore>;
  readonly #running = new Set<Promise<void>>();
  readonly #record: IdempotencyRecord;
  #stopping = false;
  readonly #stopTaking = new AbortController();
  #loop?: Promise<void>;

  constructor(o: DispatcherOptions) {
    this.#o = o;
    this.#record = o.idempotency ?? new IdempotencyRecord();
    this.#inFlight = new Semaphore(o.maxInFlight);
    this.#pools = { read: new Semaphore(o.readWorkers), write: new Semaphore(o.writeWorkers) };
  }

  /** Commands taken and not yet settled. */
  get running(): number {
    return this.#running.size;
  }

  start(): void {
    this.#loop ??= this.#take();
  }

  /**
   * Stops taking commands and waits up to `timeoutMs` for the running ones.
   * Commands still waiting for a worker are given back at once; any still running
   * at the deadline are left unsettled (the queue delivers them again after its ack
   * wait). Resolves with how many were left.
   */
  async stop(timeoutMs: number): Promise<{ abandoned: number }> {
    this.#stopping = true;
    this.#stopTaking.abort();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([this.#loop, ...this.#running]), deadline]);
    } finally {
      clearTimeout(timer);
    }
    return { abandoned: this.#running.size };
  }

  async #take(): Promise<void> {
    const { queue, logger } = this.#o;
    const pollMs = this.#o.pollMs ?? DEFAULT_POLL_MS;
    while (!this.#stopping) {
      const release = await this.#inFlight.acquire();
      if (this.#stopping) {
        release();
        return;
      }
      let rc: ReceivedCommand | null;
      try {
        rc = await queue.next({ timeoutMs: pollMs, signal: this.#stopTaking.signal });
      } catch (e) {
        release();
        if (this.#stopping) return;
        logger.warn({ err: e }, 'taking a command failed; retrying');
        await sleep(RETRY_TAKE_MS);
        continue;
      }
      if (!rc) {
        release();
        continue;
      }
      if (this.#stopping) {
        // taken while stopping: give it back at once rather than after the ack wait
        await rc.nak().catch(() => undefined);
        release();
        return;
      }
      const run: Promise<void> = this.#handle(rc).finally(() => {
        release();
        this.#running.delete(run);
      });
      this.#running.add(run);
    }
  }

  async #handle(rc: ReceivedCommand): Promise<void> {
    const o = this.#o;
    const { command } = rc;
    const logger = o.logger.child({ command_id: command.id, kind: command.kind, delivery: rc.deliveryCount });
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const keepAlive = setInterval(
      () => void rc.working().catch((e) => logger.warn({ err: e }, 'could not extend the ack wait')),
      o.workingIntervalMs ?? 10_000,
    );
    keepAlive.unref();
    const key = command.idempotency_key;
    const settle = async (out: HandlerOutput, done?: FinishedWork, replayed = false) => {
      await o.publish({
        command_id: command.id,
        cluster_id: o.clusterId,
        kind: command.kind,
        finished_at: done?.finishedAt ?? new Date().toISOString(),
        duration_seconds: done?.durationSeconds ?? seconds(),
        ...(key ? { idempotency_key: key } : {}),
        ...out,
      });
      await this.#ack(rc, logger);
      if (!replayed) o.metrics.command(command.kind, out.outcome, seconds());
    };
    let owned = false;
    try {
      if (key) {
        let decision = this.#record.decide(key);
        if (decision.action === 'wait') {
          logger.info({ idempotency_key: key }, 'the same work is running; waiting for its result');
          const finished = await decision.running;
          decision = finished ? { action: 'replay', finished } : this.#record.decide(key);
        }
        if (decision.action === 'replay') {
          logger.info({ idempotency_key: key }, 'work already done: answering with its result');
          await settle(decision.finished.output, decision.finished, true);
          return;
        }
        if (decision.action === 'wait') {
          // another delivery took the work over meanwhile: leave this one to be delivered again
          await rc.nak(o.retryDelayMs ?? 5000).catch(() => undefined);
          return;
        }
        this.#record.begin(key);
        owned = true;
      }
      const handler = o.handlers[command.kind];
      const poolName = o.pools[command.kind];
      if (!handler || !poolName) {
        const known = Object.keys(o.handlers).sort().join(', ');
        logger.warn({}, 'unknown command kind');
        const out: HandlerOutput = {
          ok: false,
          outcome: 'unknown_kind',
          message: `unknown command kind ${JSON.stringify(command.kind)}; this agent handles: ${known}`,
        };
        await settle(out, this.#finish(key, owned, out, seconds()));
        return;
      }
      const releaseWorker = await this.#pools[poolName].acquire();
      if (this.#stopping) {
        releaseWorker();
        if (key && owned) this.#record.abandon(key);
        await rc.nak().catch(() => undefined);
        return;
      }
      let out: HandlerOutput;
      o.metrics.running(poolName, 1);
      try {
        out = await handler(command, logger);
      } finally {
        o.metrics.running(poolName, -1);
        releaseWorker();
      }
      // recorded before the result goes out: a failed publish redelivers the command, which is answered from here
      await settle(out, this.#finish(key, owned, out, seconds()));
    } catch (e) {
      if (key && owned && this.#record.decide(key).action === 'wait') this.#record.abandon(key);
      const last = rc.deliveryCount >= (o.maxDeliveries ?? 5);
      logger.error(
        { err: e },
        last ? 'command crashed on its last delivery' : 'command crashed; it will be delivered again',
      );
      o.metrics.command(command.kind, 'crashed', seconds());
      if (last) {
        await settle({
          ok: false,
          outcome: 'failed',
          message: `crashed on ${rc.deliveryCount} deliveries: ${e instanceof Error ? e.message : String(e)}`,
        }).catch((err) => logger.error({ err }, 'could not settle a crashed command'));
      } else {
        await rc.nak(o.retryDelayMs ?? 5000).catch((err) => logger.warn({ err }, 'nak failed'));
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Acks a settled command. While the bus is down the ack fails (the result waits in the
   * connection's buffer and goes out on reconnection): it is tried again once a second, so a
   * command whose work is done is not delivered again just because the bus was away.
   */
  async #ack(rc: ReceivedCommand, logger: Logger): Promise<void> {
    const deadline = Date.now() + (this.#o.ackRetryMs ?? 60_000);
    for (let attempt = 1; ; attempt++) {
      try {
        await rc.ack();
        if (attempt > 1) logger.info({ attempts: attempt }, 'command acked after the bus came back');
        return;
      } catch (e) {
        if (this.#stopping || Date.now() >= deadline) throw e;
        if (attempt === 1)
          logger.warn({ err: e }, 'acking the command failed; trying again until the bus is back');
        await sleep(1000);
      }
    }
  }

  #finish(
    key: string | undefined,
    owned: boolean,
    output: HandlerOutput,
    durationSeconds: number,
  ): FinishedWork | undefined {
    if (!key || !owned) return undefined;
    const work = { output, finishedAt: new Date().toISOString(), durationSeconds };
    this.#record.finish(key, work);
    return work;
  }
}
