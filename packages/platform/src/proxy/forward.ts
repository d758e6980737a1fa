import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  type Bus,
  BusTimeoutError,
  type KubeProxyReply,
  type KubeProxyRequest,
  kubeControlSubject,
  kubeDataSubject,
  kubeProxyChunkSchema,
  kubeProxyReplySchema,
  kubeRequestSubject,
  NoRespondersError,
} from '@mooring/bus';
import type { Logger } from 'pino';
import { kubeStatus } from './request.ts';
import { ChunkSequencer } from './sequencer.ts';

/** The answer to send: status, headers, and a body (whole, or a stream that ends with the agent's). */
export interface ForwardedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | PassThrough;
}

/** How long the agent may take to answer a unary request, and to start a stream. */
const UNARY_TIMEOUT_MS = 120_000;
const STREAM_START_TIMEOUT_MS = 30_000;

function statusAnswer(code: number, reason: string, message: string): ForwardedAnswer {
  return {
    status: code,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(kubeStatus(code, reason, message)),
  };
}

/**
 * Sends one Kubernetes API request to a cluster's agent over the bus and turns its
 * answer into an HTTP answer. The body of a stream (or of a large answer) arrives as
 * numbered chunks on a subject of its own, put back in order; when the client goes away
 * first, the agent is told to stop (`cancel`).
 */
export class KubeForwarder {
  readonly #bus: Bus;
  readonly #logger: Logger;

  constructor(o: { bus: Bus; logger: Logger }) {
    this.#bus = o.bus;
    this.#logger = o.logger;
  }

  async forward(
    clusterId: string,
    r: Omit<KubeProxyRequest, 'stream_id'>,
    clientGone: (onGone: () => void) => void,
  ): Promise<ForwardedAnswer> {
    const sid = randomUUID().replaceAll('-', '');
    const sequencer = new ChunkSequencer();
    const early: Buffer[] = [];
    let sink: PassThrough | undefined;
    let ended = false;
    let endedEarly = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      void unsubscribe().catch(() => undefined);
    };
    const unsubscribe = await this.#bus.subscribe(
      kubeDataSubject(clusterId, sid),
      (m) => {
        for (const c of sequencer.accept(m.data)) {
          if (c.data) {
            const b = Buffer.from(c.data, 'base64');
            if (sink) sink.write(b);
            else early.push(b);
          }
          if (c.end) {
            if (c.error)
              this.#logger.debug({ cluster_id: clusterId, reason: c.error }, 'proxied stream ended early');
            finish();
            if (sink) sink.end();
            else endedEarly = true;
          }
        }
      },
      {
        schema: kubeProxyChunkSchema,
        onError: (err) => this.#logger.warn({ err }, 'proxied chunk not handled'),
      },
    );
    let head: KubeProxyReply;
    try {
      head = await this.#bus.request(
        kubeRequestSubject(clusterId),
        { ...r, stream_id: sid },
        { timeoutMs: r.stream ? STREAM_START_TIMEOUT_MS : UNARY_TIMEOUT_MS, schema: kubeProxyReplySchema },
      );
    } catch (err) {
      finish();
      if (err instanceof NoRespondersError)
        return statusAnswer(503, 'ServiceUnavailable', "the cluster's agent is not connected to Mooring");
      if (err instanceof BusTimeoutError)
        return statusAnswer(504, 'Timeout', "the cluster's agent did not answer in time");
      throw err;
    }
    if (!head.more) {
      finish();
      return { status: head.status, headers: head.headers, body: Buffer.from(head.body ?? '', 'base64') };
    }
    const out = new PassThrough();
    for (const b of early) out.write(b);
    if (endedEarly) out.end();
    else sink = out;
    clientGone(() => {
      if (ended) return;
      finish();
      void this.#bus.publish(kubeControlSubject(clusterId, sid), { cancel: true }).catch(() => undefined);
      out.destroy();
    });
    return { status: head.status, headers: head.headers, body: out };
  }
}
