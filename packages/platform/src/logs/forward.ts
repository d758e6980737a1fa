import { randomUUID } from 'node:crypto';
import {
  BatchTimer,
  type Bus,
  BusTimeoutError,
  LOGS_WINDOW,
  logsControlSubject,
  logsDataSubject,
  logsRequestSubject,
  NoRespondersError,
  type PodLogsChunk,
  type PodLogsRequest,
  podLogsChunkSchema,
  podLogsReplySchema,
} from '@mooring/bus';
import type { Logger } from 'pino';
import { ChunkSequencer } from '../proxy/sequencer.ts';

/** Where the log goes: `write` answers false when the client is not keeping up (as a Node stream does). */
export interface LogSink {
  write(text: string): boolean;
  /** Called once when `write` answered false and the client took it all. */
  onDrain(fn: () => void): void;
  end(): void;
  /** Registers what to do when the client goes away first. */
  onGone(fn: () => void): void;
}

/** The agent's refusal before any log text: the API server's status (404 no such pod, 400 no such container...). */
export class PodLogsRefusedError extends Error {
  override readonly name = 'PodLogsRefusedError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** How long the agent may take to start a log. */
const START_TIMEOUT_MS = 30_000;
/** Credit for fewer than a quarter of the window waits at most this long (the window is far from full then). */
const ACK_DELAY_MS = 50;
/** The platform repeats its credit this often so the agent knows it is still there. */
const KEEPALIVE_MS = 15_000;

export type PodLogsQuery = Omit<PodLogsRequest, 'stream_id' | 'window'>;

/**
 * Reads a pod's log through its cluster's agent: the request on
 * `agent.logs.{cluster_id}.req`, the text as numbered chunks put back in order, and
 * credit back to the agent (`ack` of the highest chunk the client has taken) so the
 * agent never runs more than a window ahead of the client. Resolves with the
 * containers once the log starts; `done` resolves when it ends.
 */
export class PodLogsForwarder {
  readonly #bus: Bus;
  readonly #logger: Logger;
  readonly #window: number;
  readonly #acks = new BatchTimer(ACK_DELAY_MS);

  constructor(o: { bus: Bus; logger: Logger; window?: number }) {
    this.#bus = o.bus;
    this.#logger = o.logger;
    this.#window = o.window ?? LOGS_WINDOW;
  }

  async open(
    clusterId: string,
    q: PodLogsQuery,
    sink: LogSink,
  ): Promise<{ containers: string[]; done: Promise<void> }> {
    const sid = randomUUID().replaceAll('-', '');
    const control = logsControlSubject(clusterId, sid);
    const sequencer = new ChunkSequencer();
    let written = -1;
    let acked = -1;
    let finished = false;
    let blocked = false;
    let heldSeq = -1;
    let started = false;
    const early: PodLogsChunk[] = [];
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });

    const sendAck = () => {
      if (finished || written === acked) return;
      acked = written;
      void this.#bus.publish(control, { ack: written }).catch(() => undefined);
    };
    // credit in batches: at once when a quarter of the window is written, else at the end of the
    // streams' shared ACK_DELAY_MS period; a stream of small chunks then costs one control message
    // per several chunks, and the credits of all streams leave together
    const ackEvery = Math.max(1, Math.floor(this.#window / 4));
    const scheduleAck = () => {
      if (written - acked >= ackEvery) {
        this.#acks.cancel(sendAck);
        sendAck();
      } else this.#acks.schedule(sendAck);
    };
    const keepalive = setInterval(() => {
      if (!finished) void this.#bus.publish(control, { ack: acked }).catch(() => undefined);
    }, KEEPALIVE_MS);
    keepalive.unref();
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(keepalive);
      this.#acks.cancel(sendAck);
      void unsubscribe().catch(() => undefined);
      resolveDone();
    };
    const deliver = (c: PodLogsChunk) => {
      if (finished) return;
      if (c.data) {
        const ok = sink.write(c.data);
        if (blocked) heldSeq = c.seq;
        else if (ok) {
          written = c.seq;
          scheduleAck();
        } else {
          // the client is behind: credit only once it has taken what it has
          blocked = true;
          heldSeq = c.seq;
          sink.onDrain(() => {
            blocked = false;
            written = Math.max(written, heldSeq);
            sendAck();
          });
        }
      }
      if (c.end) {
        if (c.error) this.#logger.debug({ cluster_id: clusterId, reason: c.error }, 'log stream ended early');
        finish();
        sink.end();
      }
    };
    const unsubscribe = await this.#bus.subscribe(
      logsDataSubject(clusterId, sid),
      (m) => {
        for (const c of sequencer.accept(m.data as PodLogsChunk)) {
          if (started) deliver(c);
          else early.push(c);
        }
      },
      { schema: podLogsChunkSchema, onError: (err) => this.#logger.warn({ err }, 'log chunk not handled') },
    );
    let reply: { status: number; message?: string; containers?: string[] };
    try {
      reply = await this.#bus.request(
        logsRequestSubject(clusterId),
        { ...q, stream_id: sid, window: this.#window },
        { timeoutMs: START_TIMEOUT_MS, schema: podLogsReplySchema },
      );
    } catch (err) {
      finish();
      if (err instanceof NoRespondersError)
        throw new PodLogsRefusedError(503, "the cluster's agent is not connected to Mooring");
      if (err instanceof BusTimeoutError)
        throw new PodLogsRefusedError(504, "the cluster's agent did not answer in time");
      throw err;
    }
    if (reply.status !== 200) {
      finish();
      throw new PodLogsRefusedError(reply.status, reply.message ?? `the API server answered ${reply.status}`);
    }
    sink.onGone(() => {
      if (finished) return;
      finish();
      void this.#bus.publish(control, { cancel: true }).catch(() => undefined);
    });
    started = true;
    for (const c of early.splice(0)) deliver(c);
    return { containers: reply.containers ?? [], done };
  }
}
