import type { IncomingMessage } from 'node:http';
import {
  type Bus,
  type BusMessage,
  ChunkSequencer,
  KUBE_CHUNK_BYTES,
  type KubeProxyReply,
  type KubeProxyRequest,
  type KubeTunnelChunk,
  kubeControlSubjects,
  kubeDataSubject,
  kubeProxyControlSchema,
  kubeProxyRequestSchema,
  kubeRequestSubject,
} from '@mooring/bus';
import type { KubeConfig } from '@mooring/kube';
import type { Logger } from '../logger.ts';
import { ApiServerClient } from './apiServer.ts';
import { apiServerHeaders, kubeStatus, replyHeaders, upgradeHeaders } from './headers.ts';
import { Slots } from './slots.ts';

export interface KubeProxyOptions {
  bus: Bus;
  clusterId: string;
  kc: KubeConfig;
  logger: Logger;
  /** Unary requests at once (`KUBE_PROXY_UNARY_CONCURRENCY`). */
  unaryConcurrency: number;
  /** Streams (watch, follow) at once (`KUBE_PROXY_STREAM_CONCURRENCY`). */
  streamConcurrency: number;
  /** Tries of a GET whose connection broke before an answer (`KUBERNETES_REQUEST_MAX_ATTEMPTS`, default 3). */
  requestMaxAttempts?: number;
}

export interface KubeProxy {
  /** Requests and streams running now. */
  active(): { unary: number; stream: number };
  /** Stops taking requests and ends every running one. */
  stop(): Promise<void>;
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

function replyOf(status: number, headers: Record<string, string>, body: Buffer): KubeProxyReply {
  return { status, headers, body: body.toString('base64'), more: false };
}

/**
 * The agent's side of kubectl through the platform: each request on
 * `agent.kube.{cluster_id}.req` is performed against the API server with the agent's
 * credentials and the request's impersonation (`Impersonate-User`, `Impersonate-Group`),
 * so the cluster's RBAC decides. The reply carries the status and headers, and the body
 * when it fits one message; a larger body, a watch or a followed log comes as numbered
 * chunks on `agent.kube.{cluster_id}.data.{stream_id}`, until `end`. A `cancel` on the
 * stream's control subject ends it. Above the concurrency limits a request is answered
 * 429 with `Retry-After: 1` at once.
 */
export async function serveKubeProxy(o: KubeProxyOptions): Promise<KubeProxy> {
  const api = new ApiServerClient(o.kc, { maxAttempts: o.requestMaxAttempts ?? 3 });
  const unary = new Slots(o.unaryConcurrency);
  const streams = new Slots(o.streamConcurrency);
  const running = new Map<string, AbortController>();
  /** The open tunnels' writers of the client's bytes, by stream id. */
  const tunnels = new Map<string, (c: KubeTunnelChunk) => void>();
  const log = o.logger;

  const publishChunks = async (sid: string, body: Buffer) => {
    let seq = 0;
    for (let at = 0; at < body.length; at += KUBE_CHUNK_BYTES) {
      const data = body.subarray(at, at + KUBE_CHUNK_BYTES).toString('base64');
      await o.bus.publish(kubeDataSubject(o.clusterId, sid), { seq: seq++, data });
    }
    await o.bus.publish(kubeDataSubject(o.clusterId, sid), { seq, end: true });
  };

  /** An upgrade: the handshake with the API server, then bytes both ways until either side ends. */
  const tunnel = async (
    r: KubeProxyRequest,
    handshake: Record<string, string>,
    abort: AbortController,
    reply: (data: object) => void,
  ): Promise<void> => {
    let answered = false;
    try {
      const up = await api.upgrade({
        method: r.method,
        path: r.path,
        headers: { ...apiServerHeaders(r), ...upgradeHeaders(handshake) },
        signal: abort.signal,
      });
      if (!up.upgraded) {
        // refused (RBAC, a missing pod, a protocol the server does not speak): an ordinary answer
        const body = await readAll(up.res);
        answered = true;
        return reply(
          replyOf(up.res.statusCode ?? 502, replyHeaders(up.res.headers), body.subarray(0, KUBE_CHUNK_BYTES)),
        );
      }
      const { socket, head } = up;
      const subject = kubeDataSubject(o.clusterId, r.stream_id);
      let seq = 0;
      answered = true;
      reply({
        status: 101,
        headers: { ...replyHeaders(up.res.headers), ...upgradeHeaders(up.res.headers) },
        more: true,
      });
      // one chain of publishes keeps the server's bytes in order
      let out = Promise.resolve();
      const send = (chunk: { data?: string; end?: boolean; error?: string }) => {
        out = out.then(() => o.bus.publish(subject, { seq: seq++, ...chunk })).catch(() => undefined);
      };
      if (head.length > 0) send({ data: head.toString('base64') });
      const order = new ChunkSequencer<KubeTunnelChunk>();
      tunnels.set(r.stream_id, (c) => {
        for (const ready of order.accept(c)) {
          if (ready.data) socket.write(Buffer.from(ready.data, 'base64'));
          if (ready.end) socket.end();
        }
      });
      await new Promise<void>((resolve) => {
        socket.on('data', (b: Buffer) => send({ data: b.toString('base64') }));
        const onAbort = () => socket.destroy();
        abort.signal.addEventListener('abort', onAbort, { once: true });
        socket.on('error', (err) => {
          if (!abort.signal.aborted) send({ end: true, error: err.message });
        });
        socket.on('close', () => {
          abort.signal.removeEventListener('abort', onAbort);
          if (!abort.signal.aborted) send({ end: true });
          resolve();
        });
      });
      await out;
    } catch (err) {
      if (answered) return;
      log.warn({ err, path: r.path.split('?')[0] }, 'proxied upgrade failed');
      const s = kubeStatus(
        502,
        'ServiceUnavailable',
        `the agent could not reach the API server: ${(err as Error).message}`,
      );
      reply(replyOf(s.status, { 'content-type': 'application/json' }, s.body));
    }
  };

  const handle = async (m: BusMessage) => {
    const reply = m.reply;
    if (!reply) return;
    const parsed = kubeProxyRequestSchema.safeParse(m.data);
    if (!parsed.success) {
      const s = kubeStatus(400, 'BadRequest', 'invalid proxy request');
      return reply(replyOf(s.status, { 'content-type': 'application/json' }, s.body));
    }
    const r = parsed.data;
    const release = (r.stream ? streams : unary).take();
    if (!release) {
      const s = kubeStatus(
        429,
        'TooManyRequests',
        `too many ${r.stream ? 'streams' : 'requests'} through the Mooring agent, retry`,
      );
      return reply(replyOf(s.status, { 'content-type': 'application/json', 'retry-after': '1' }, s.body));
    }
    const abort = new AbortController();
    running.set(r.stream_id, abort);
    if (r.upgrade) {
      try {
        return await tunnel(r, r.upgrade, abort, reply);
      } finally {
        running.delete(r.stream_id);
        tunnels.delete(r.stream_id);
        release();
      }
    }
    let replied = false;
    let seq = 0;
    try {
      const res = await api.send({
        method: r.method,
        path: r.path,
        headers: apiServerHeaders(r),
        ...(r.body !== undefined ? { body: Buffer.from(r.body, 'base64') } : {}),
        signal: abort.signal,
      });
      const status = res.statusCode ?? 502;
      const headers = replyHeaders(res.headers);
      if (!r.stream) {
        const body = await readAll(res);
        replied = true;
        if (body.length <= KUBE_CHUNK_BYTES) return reply(replyOf(status, headers, body));
        reply({ status, headers, more: true });
        return await publishChunks(r.stream_id, body);
      }
      replied = true;
      reply({ status, headers, more: true });
      const subject = kubeDataSubject(o.clusterId, r.stream_id);
      for await (const c of res)
        await o.bus.publish(subject, { seq: seq++, data: (c as Buffer).toString('base64') });
      await o.bus.publish(subject, { seq, end: true });
    } catch (err) {
      const message = (err as Error).message;
      if (!replied) {
        log.warn({ err, path: r.path.split('?')[0] }, 'proxied request failed');
        const s = kubeStatus(
          502,
          'ServiceUnavailable',
          `the agent could not reach the API server: ${message}`,
        );
        reply(replyOf(s.status, { 'content-type': 'application/json' }, s.body));
      } else if (!abort.signal.aborted) {
        await o.bus
          .publish(kubeDataSubject(o.clusterId, r.stream_id), { seq, end: true, error: message })
          .catch(() => undefined);
      }
    } finally {
      running.delete(r.stream_id);
      release();
    }
  };

  const stopRequests = await o.bus.subscribe(
    kubeRequestSubject(o.clusterId),
    (m) => {
      // answered in the background: requests run side by side within the limits
      void handle(m).catch((err: unknown) => log.warn({ err }, 'proxied request not answered'));
    },
    { onError: (err, subject) => log.warn({ err, subject }, 'proxy request not handled') },
  );
  const controlPrefix = kubeControlSubjects(o.clusterId).slice(0, -1);
  const stopControls = await o.bus.subscribe(
    kubeControlSubjects(o.clusterId),
    (m) => {
      const c = kubeProxyControlSchema.safeParse(m.data);
      if (!c.success) return;
      const sid = m.subject.slice(controlPrefix.length);
      if ('tunnel' in c.data) tunnels.get(sid)?.(c.data.tunnel);
      else running.get(sid)?.abort();
    },
    { onError: (err, subject) => log.warn({ err, subject }, 'proxy control not handled') },
  );
  return {
    active: () => ({ unary: unary.used, stream: streams.used }),
    stop: async () => {
      await Promise.all([stopRequests(), stopControls()].map((p) => p.catch(() => undefined)));
      for (const a of running.values()) a.abort();
    },
  };
}
