import type { IncomingMessage } from 'node:http';
import {
  BatchTimer,
  type Bus,
  type BusMessage,
  LOGS_CHUNK_BYTES,
  LOGS_WINDOW,
  logsControlSubjects,
  logsDataSubject,
  logsRequestSubject,
  type PodLogsReply,
  type PodLogsRequest,
  podLogsControlSchema,
  podLogsRequestSchema,
} from '@mooring/bus';
import { KubeConfig, kubeSend } from '@mooring/kube';
import type { Logger } from '../logger.ts';
import { ApiServerClient } from '../proxy/apiServer.ts';
import { Slots } from '../proxy/slots.ts';
import { chooseContainers, LogText, podLogPath } from './lines.ts';
import { SendWindow } from './window.ts';

export interface PodLogsOptions {
  bus: Bus;
  clusterId: string;
  kc: KubeConfig;
  logger: Logger;
  /** Log streams at once (the size of `KUBE_PROXY_STREAM_CONCURRENCY`). */
  concurrency: number;
  /** A stream whose platform sent nothing (no credit, no keep-alive) for this long is ended (default 60 s). */
  idleMs?: number;
  /**
   * How long text waits to be sent with more (default 25 ms: a busy log's lines go several to a
   * message), on one clock for all streams.
   */
  flushMs?: number;
  /**
   * Read every log as a stream of one HTTP/2 connection to an `https:` API server (default: one
   * HTTP/1.1 connection per log).
   */
  http2?: boolean;
}

export interface PodLogsServer {
  active(): number;
  stop(): Promise<void>;
}

async function readText(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function statusMessage(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text.slice(0, 500);
  } catch {
    return text.slice(0, 500);
  }
}

interface Running {
  window: SendWindow;
  abort: AbortController;
  lastHeard: number;
  resume: () => void;
}

/**
 * Pod logs for the platform: each request on `agent.logs.{cluster_id}.req` is read from
 * the API server (`pods/log`: one container, or every container with each line prefixed
 * `[container] `; follow, tail, since, previous) and sent as numbered chunks on
 * `agent.logs.{cluster_id}.data.{stream_id}`. Backpressure: at most the request's
 * window of chunks is unacknowledged; past it the agent stops reading from the API
 * server (TCP then holds the kubelet back), so a slow client costs at most a window
 * of memory. The platform's `ack` (and a keep-alive of it) arrive on the control
 * subject; `cancel`, or nothing for `idleMs`, ends the stream.
 */
export async function servePodLogs(o: PodLogsOptions): Promise<PodLogsServer> {
  const api = new ApiServerClient(o.kc);
  const slots = new Slots(o.concurrency);
  const running = new Map<string, Running>();
  const idleMs = o.idleMs ?? 60_000;
  // every stream's pending text goes out on one clock: a period's chunks leave in one socket write
  const batch = new BatchTimer(o.flushMs ?? 25);
  const log = o.logger.child({ component: 'logs' });

  // over HTTP/2, logs get a connection of their own (a KubeConfig of their own has its own pool)
  const h2 = o.http2 ? Object.assign(KubeConfig.from(o.kc), { http2: true }) : undefined;
  const open = (path: string, signal: AbortSignal) => {
    const r = { method: 'GET', path, headers: { accept: '*/*' }, signal };
    return h2 ? kubeSend(h2, r) : api.send(r);
  };

  const stream = async (r: PodLogsRequest, reply: (d: PodLogsReply) => void) => {
    const abort = new AbortController();
    const window = new SendWindow(Math.min(r.window, LOGS_WINDOW * 32));
    const subject = logsDataSubject(o.clusterId, r.stream_id);
    const responses: IncomingMessage[] = [];
    // readers waiting for credit; they read no further meanwhile, so TCP holds the API server back
    let waiters: (() => void)[] = [];
    let onCredit = () => {};
    const credit = () =>
      window.full() && !abort.signal.aborted
        ? new Promise<void>((resolve) => waiters.push(resolve))
        : Promise.resolve();
    const state: Running = {
      window,
      abort,
      lastHeard: Date.now(),
      resume: () => {
        onCredit();
        if (window.full() && !abort.signal.aborted) return;
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      },
    };
    abort.signal.addEventListener('abort', () => state.resume(), { once: true });
    running.set(r.stream_id, state);
    try {
      // the pod first: a missing pod or container is answered at once, and a followed
      // log can start before its first line (a kubelet may send no headers until then)
      const podRes = await open(
        `/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}`,
        abort.signal,
      );
      const podText = await readText(podRes);
      if (podRes.statusCode !== 200)
        return reply({ status: podRes.statusCode ?? 502, message: statusMessage(podText) });
      const chosen = chooseContainers(JSON.parse(podText), r);
      if ('error' in chosen) return reply({ status: 400, message: chosen.error });
      const containers = chosen.containers;
      const opening = containers.map((container) => open(podLogPath({ ...r, container }), abort.signal));
      if (r.follow) reply({ status: 200, containers });
      const opened = await Promise.allSettled(opening);
      for (const x of opened) if (x.status === 'fulfilled') responses.push(x.value);
      const failed = opened.find((x) => x.status === 'rejected') as PromiseRejectedResult | undefined;
      if (failed && !r.follow) throw failed.reason;
      const refused = responses.find((res) => res.statusCode !== 200);
      if (failed || refused) {
        const message = refused ? statusMessage(await readText(refused)) : String(failed?.reason?.message);
        if (!r.follow) return reply({ status: refused?.statusCode ?? 502, message });
        await o.bus
          .publish(subject, { seq: window.take(), end: true, error: message })
          .catch(() => undefined);
        return;
      }
      if (!r.follow) reply({ status: 200, containers });

      let pending = '';
      let sending: Promise<void> = Promise.resolve();
      const send = (data: string) => {
        const seq = window.take();
        sending = sending.then(() => o.bus.publish(subject, { seq, data })).catch(() => abort.abort());
      };
      /** Sends what is pending while the window has room; the rest waits for credit. */
      const flush = () => {
        batch.cancel(flush);
        while (pending.length > 0 && !window.full()) {
          // cut at a line end when one is near, so chunks hold whole lines
          let cut = pending.length;
          if (Buffer.byteLength(pending) > LOGS_CHUNK_BYTES) {
            cut = Math.floor(LOGS_CHUNK_BYTES / 4);
            const nl = pending.lastIndexOf('\n', cut);
            if (nl > 0) cut = nl + 1;
          }
          send(pending.slice(0, cut));
          pending = pending.slice(cut);
        }
      };
      onCredit = flush;
      const add = (text: string) => {
        if (text === '') return;
        pending += text;
        if (Buffer.byteLength(pending) >= LOGS_CHUNK_BYTES) flush();
        else batch.schedule(flush);
      };
      const idle = setInterval(
        () => {
          if (Date.now() - state.lastHeard > idleMs) {
            log.info({ stream_id: r.stream_id }, 'log stream ended: the platform went quiet');
            abort.abort();
          }
        },
        Math.min(5000, idleMs / 2),
      );
      let error: string | undefined;
      try {
        // read by events (no promise per chunk): past the window the response pauses until credit
        await Promise.all(
          responses.map(
            (res, i) =>
              new Promise<void>((resolve, reject) => {
                const text = new LogText(r.all_containers ? `[${containers[i]}] ` : undefined);
                let ended = false;
                const stop = () => {
                  res.destroy();
                  resolve();
                };
                if (abort.signal.aborted) return stop();
                abort.signal.addEventListener('abort', stop, { once: true });
                res.on('data', (c: Buffer) => {
                  add(text.push(c));
                  if (window.full() && !abort.signal.aborted) {
                    res.pause();
                    waiters.push(() => res.resume());
                  }
                });
                res.on('end', () => {
                  ended = true;
                  add(text.end());
                  resolve();
                });
                res.on('error', (err) => (abort.signal.aborted ? resolve() : reject(err)));
                res.on('close', () => {
                  if (ended || abort.signal.aborted) return resolve();
                  reject(new Error('the API server closed the log stream before its end'));
                });
              }),
          ),
        );
      } catch (err) {
        if (!abort.signal.aborted) error = (err as Error).message;
      } finally {
        clearInterval(idle);
      }
      flush();
      while (pending.length > 0 && !abort.signal.aborted) {
        await credit();
        flush();
      }
      batch.cancel(flush);
      await sending;
      if (!abort.signal.aborted || error)
        await o.bus
          .publish(subject, { seq: window.take(), end: true, ...(error ? { error } : {}) })
          .catch(() => undefined);
    } finally {
      running.delete(r.stream_id);
      for (const res of responses) res.destroy();
    }
  };

  const handle = async (m: BusMessage) => {
    const reply = m.reply;
    if (!reply) return;
    const parsed = podLogsRequestSchema.safeParse(m.data);
    if (!parsed.success)
      return reply({ status: 400, message: `invalid log request: ${parsed.error.issues[0]?.message}` });
    const release = slots.take();
    if (!release) return reply({ status: 429, message: 'too many log streams through the agent, retry' });
    let replied = false;
    const once = (d: PodLogsReply) => {
      if (replied) return;
      replied = true;
      reply(d);
    };
    try {
      await stream(parsed.data, once);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'log stream failed');
      once({ status: 502, message: `the agent could not read the log: ${(err as Error).message}` });
    } finally {
      release();
    }
  };

  const stopRequests = await o.bus.subscribe(
    logsRequestSubject(o.clusterId),
    (m) => {
      void handle(m).catch((err: unknown) => log.warn({ err }, 'log request not answered'));
    },
    { onError: (err, subject) => log.warn({ err, subject }, 'log request not handled') },
  );
  const prefix = logsControlSubjects(o.clusterId).slice(0, -1);
  const stopControls = await o.bus.subscribe(
    logsControlSubjects(o.clusterId),
    (m) => {
      const c = podLogsControlSchema.safeParse(m.data);
      const s = running.get(m.subject.slice(prefix.length));
      if (!c.success || !s) return;
      s.lastHeard = Date.now();
      if ('cancel' in c.data) return s.abort.abort();
      s.window.ack(c.data.ack);
      s.resume();
    },
    { onError: (err, subject) => log.warn({ err, subject }, 'log control not handled') },
  );
  return {
    active: () => running.size,
    stop: async () => {
      await Promise.all([stopRequests(), stopControls()].map((p) => p.catch(() => undefined)));
      for (const s of running.values()) s.abort.abort();
    },
  };
}
