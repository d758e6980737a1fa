import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import {
  type Bus,
  BusTimeoutError,
  ChunkSequencer,
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

/** How long the agent may take to open the upgrade with its API server. */
const UPGRADE_TIMEOUT_MS = 30_000;

const REASONS: Record<number, string> = {
  101: 'Switching Protocols',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** An HTTP/1.1 answer head and body, written straight to a socket (pure). */
export function rawAnswer(status: number, headers: Record<string, string>, body?: Buffer): Buffer {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}`];
  for (const [k, v] of Object.entries(headers)) if (!/[\r\n]/.test(v)) lines.push(`${k}: ${v}`);
  if (status !== 101) {
    lines.push(`content-length: ${body?.length ?? 0}`, 'connection: close');
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body ?? Buffer.alloc(0)]);
}

/** A Kubernetes `Status` answer written to a socket, which is then closed. */
export function refuseUpgrade(socket: Duplex, code: number, reason: string, message: string): void {
  socket.end(
    rawAnswer(code, { 'content-type': 'application/json' }, Buffer.from(kubeStatus(code, reason, message))),
  );
}

/**
 * An upgraded Kubernetes connection (`exec`, `attach`, `portforward`, over WebSocket or SPDY)
 * through a cluster's agent: the handshake goes to the agent, which opens the upgrade with its
 * API server as the user (impersonation) and answers with the API server's answer. After a
 * `101` the connection is a byte tunnel: the client's bytes go as numbered chunks on the
 * stream's control subject, the API server's come back on its data subject. The protocol's
 * frames pass untouched, so every channel (stdin, stdout, stderr, errors, resize, ports) works.
 */
export class KubeTunneler {
  readonly #bus: Bus;
  readonly #logger: Logger;

  constructor(o: { bus: Bus; logger: Logger }) {
    this.#bus = o.bus;
    this.#logger = o.logger;
  }

  async open(
    clusterId: string,
    r: Omit<KubeProxyRequest, 'stream_id' | 'stream' | 'body'>,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const sid = randomUUID().replaceAll('-', '');
    const sequencer = new ChunkSequencer();
    const early: Buffer[] = [];
    let open = false;
    let ended = false;
    let closedEarly = false;
    const control = kubeControlSubject(clusterId, sid);
    const unsubscribe = await this.#bus.subscribe(
      kubeDataSubject(clusterId, sid),
      (m) => {
        for (const c of sequencer.accept(m.data)) {
          if (c.data) {
            const b = Buffer.from(c.data, 'base64');
            if (open) socket.write(b);
            else early.push(b);
          }
          if (c.end) {
            ended = true;
            if (c.error)
              this.#logger.debug({ cluster_id: clusterId, reason: c.error }, 'proxied upgrade ended');
            if (open) socket.end();
            else closedEarly = true;
          }
        }
      },
      {
        schema: kubeProxyChunkSchema,
        onError: (err) => this.#logger.warn({ err }, 'proxied upgrade chunk not handled'),
      },
    );
    const done = () => void unsubscribe().catch(() => undefined);
    // the client's first bytes may already be here; the rest are held until the agent said 101
    socket.pause();
    let answer: KubeProxyReply;
    try {
      answer = await this.#bus.request(
        kubeRequestSubject(clusterId),
        { ...r, stream_id: sid, stream: true },
        { timeoutMs: UPGRADE_TIMEOUT_MS, schema: kubeProxyReplySchema },
      );
    } catch (err) {
      done();
      if (err instanceof NoRespondersError)
        return refuseUpgrade(
          socket,
          503,
          'ServiceUnavailable',
          "the cluster's agent is not connected to Mooring",
        );
      if (err instanceof BusTimeoutError)
        return refuseUpgrade(socket, 504, 'Timeout', "the cluster's agent did not answer in time");
      throw err;
    }
    if (answer.status !== 101) {
      done();
      socket.end(rawAnswer(answer.status, answer.headers, Buffer.from(answer.body ?? '', 'base64')));
      return;
    }
    socket.write(rawAnswer(101, answer.headers));
    for (const b of early) socket.write(b);
    open = true;
    if (closedEarly) socket.end();
    let seq = 0;
    let sending = Promise.resolve();
    const send = (tunnel: { data?: string; end?: boolean }) => {
      sending = sending
        .then(() => this.#bus.publish(control, { tunnel: { seq: seq++, ...tunnel } }))
        .catch(() => undefined);
    };
    if (head.length > 0) send({ data: head.toString('base64') });
    socket.on('data', (b: Buffer) => send({ data: b.toString('base64') }));
    socket.on('end', () => send({ end: true }));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      done();
      if (!ended)
        sending = sending.then(() => this.#bus.publish(control, { cancel: true })).catch(() => undefined);
    });
    socket.resume();
  }
}
