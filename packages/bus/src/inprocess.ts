import { encodeJson } from './codec.ts';
import { commandQueue, receiveCommand } from './commandQueue.ts';
import {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  defaultOnError,
} from './defaults.ts';
import { BusClosedError, BusPermissionError, BusTimeoutError, NoRespondersError } from './errors.ts';
import { checkOutgoing, decodeReply, deliverMessage } from './messages.ts';
import { allowed, type BusOperation, type BusPermissions, commandNextSubject } from './permissions.ts';
import { assertClusterId, assertPattern, assertSubject, commandSubject, subjectMatches } from './subjects.ts';
import type {
  Bus,
  BusStatus,
  CommandQueue,
  MessageHandler,
  ReceivedCommand,
  RequestOptions,
  SubscribeOptions,
  Unsubscribe,
} from './types.ts';

export interface InProcessHubOptions {
  /** A delivered command not acked within this long is delivered again (default 30 s). */
  commandAckWaitMs?: number;
  /** A command id seen within this window is not enqueued again (default 2 min, as JetStream). */
  duplicateWindowMs?: number;
}

interface HubSub {
  pattern: string;
  queue?: string;
  deliver(subject: string, json: string, reply?: (json: string) => void): void;
}

/**
 * The in-process message broker: subjects with NATS wildcard matching, queue groups,
 * and one durable-in-memory command queue per cluster. Many `InProcessBus`
 * connections can share one hub (the platform's and the agent's, in the embedded
 * single-machine mode); payloads cross it as JSON text, exactly as over NATS.
 */
export class InProcessHub {
  readonly #subs = new Set<HubSub>();
  readonly #queues = new Map<string, MemoryQueue>();
  readonly #ackWaitMs: number;
  readonly #duplicateWindowMs: number;
  #rr = 0;

  constructor(opts: InProcessHubOptions = {}) {
    this.#ackWaitMs = opts.commandAckWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.#duplicateWindowMs = opts.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  }

  add(sub: HubSub): () => void {
    this.#subs.add(sub);
    return () => this.#subs.delete(sub);
  }

  /** Delivers JSON text to every matching subscription (one per queue group); returns how many got it. */
  route(subject: string, json: string, reply?: (json: string) => void): number {
    const plain: HubSub[] = [];
    const groups = new Map<string, HubSub[]>();
    for (const s of this.#subs) {
      if (!subjectMatches(s.pattern, subject)) continue;
      if (s.queue === undefined) plain.push(s);
      else groups.set(s.queue, [...(groups.get(s.queue) ?? []), s]);
    }
    const chosen = [...plain];
    for (const members of groups.values()) chosen.push(members[this.#rr++ % members.length]!);
    for (const s of chosen) s.deliver(subject, json, reply);
    return chosen.length;
  }

  /** Publishes text as-is, bypassing encoding and sender-side validation (for tests of receivers). */
  injectRaw(subject: string, text: string): void {
    this.route(assertSubject(subject), text);
  }

  queue(clusterId: string): MemoryQueue {
    let q = this.#queues.get(clusterId);
    if (!q) {
      q = new MemoryQueue(this.#ackWaitMs, this.#duplicateWindowMs);
      this.#queues.set(clusterId, q);
    }
    return q;
  }
}

interface Entry {
  seq: number;
  json: string;
  deliveries: number;
}

interface Waiter {
  give(entry: Entry, token: number): void;
}

/** At-least-once queue: ready → in flight (ack timer) → acked, or back to ready on nak / ack timeout. */
export class MemoryQueue {
  readonly #ready: Entry[] = [];
  readonly #inflight = new Map<number, { entry: Entry; timer: NodeJS.Timeout }>();
  readonly #waiters: Waiter[] = [];
  readonly #seen = new Map<string, number>();
  readonly #ackWaitMs: number;
  readonly #duplicateWindowMs: number;
  #seq = 0;
  #token = 0;

  constructor(ackWaitMs: number, duplicateWindowMs: number) {
    this.#ackWaitMs = ackWaitMs;
    this.#duplicateWindowMs = duplicateWindowMs;
  }

  /** Commands waiting and in flight (for tests and metrics). */
  get depth(): { ready: number; inflight: number } {
    return { ready: this.#ready.length, inflight: this.#inflight.size };
  }

  send(id: string, json: string): void {
    const now = Date.now();
    for (const [k, t] of this.#seen) if (now - t > this.#duplicateWindowMs) this.#seen.delete(k);
    if (this.#seen.has(id)) return;
    this.#seen.set(id, now);
    this.#requeue({ seq: ++this.#seq, json, deliveries: 0 });
  }

  /** Waits up to `timeoutMs` for a command; null on timeout. */
  take(timeoutMs: number, signal?: AbortSignal): Promise<{ entry: Entry; token: number } | null> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(null);
      const giveUp = () => {
        clearTimeout(timer);
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(null);
      };
      const timer = setTimeout(giveUp, timeoutMs);
      signal?.addEventListener('abort', giveUp, { once: true });
      const waiter: Waiter = {
        give: (entry, token) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', giveUp);
          resolve({ entry, token });
        },
      };
      this.#waiters.push(waiter);
      this.#dispatch();
    });
  }

  ack(token: number): void {
    const f = this.#inflight.get(token);
    if (!f) return;
    clearTimeout(f.timer);
    this.#inflight.delete(token);
  }

  nak(token: number, delayMs = 0): void {
    const f = this.#inflight.get(token);
    if (!f) return;
    clearTimeout(f.timer);
    this.#inflight.delete(token);
    if (delayMs > 0) setTimeout(() => this.#requeue(f.entry), delayMs).unref();
    else this.#requeue(f.entry);
  }

  working(token: number): void {
    const f = this.#inflight.get(token);
    if (!f) return;
    clearTimeout(f.timer);
    f.timer = this.#ackTimer(token, f.entry);
  }

  /** A command taken but not given to anyone (its taker went away): back to the queue at once. */
  release(token: number): void {
    this.nak(token, 0);
  }

  #ackTimer(token: number, entry: Entry): NodeJS.Timeout {
    const t = setTimeout(() => {
      if (this.#inflight.delete(token)) this.#requeue(entry);
    }, this.#ackWaitMs);
    t.unref();
    return t;
  }

  #requeue(entry: Entry): void {
    // keep the stream order: a redelivered command goes before newer ones
    const i = this.#ready.findIndex((e) => e.seq > entry.seq);
    if (i < 0) this.#ready.push(entry);
    else this.#ready.splice(i, 0, entry);
    this.#dispatch();
  }

  #dispatch(): void {
    while (this.#ready.length > 0 && this.#waiters.length > 0) {
      const entry = this.#ready.shift()!;
      const waiter = this.#waiters.shift()!;
      entry.deliveries++;
      const token = ++this.#token;
      this.#inflight.set(token, { entry, timer: this.#ackTimer(token, entry) });
      waiter.give(entry, token);
    }
  }
}

export interface InProcessBusOptions {
  /** Share a hub between connections; a new private hub by default. */
  hub?: InProcessHub;
  /** Receives invalid messages and handler errors of subscriptions without their own `onError`. */
  onError?: (err: unknown, subject: string) => void;
  /**
   * Restrict this connection as a NATS user with these permissions is restricted (e.g.
   * `agentPermissions(clusterId)`): a publish, request or subscription outside them, or
   * a command queue whose NATS subjects they do not allow, fails with `BusPermissionError`.
   * Unrestricted by default.
   */
  permissions?: BusPermissions;
}

/**
 * The embedded single-machine bus: one connection to an `InProcessHub`. Delivery is
 * asynchronous and every payload is JSON-encoded and decoded, so code behaves the same
 * as over NATS. With `permissions` it is one cluster's view of the hub, refused what the
 * NATS server would refuse that cluster's credentials.
 */
export class InProcessBus implements Bus {
  readonly hub: InProcessHub;
  readonly #onError: (err: unknown, subject: string) => void;
  readonly #unsubs = new Set<() => void>();
  readonly #permissions: BusPermissions | undefined;
  #closed = false;

  constructor(opts: InProcessBusOptions = {}) {
    this.hub = opts.hub ?? new InProcessHub();
    this.#onError = opts.onError ?? defaultOnError;
    this.#permissions = opts.permissions;
  }

  #permit(subject: string, op: BusOperation): void {
    if (this.#permissions && !allowed(this.#permissions, subject, op)) {
      throw new BusPermissionError(subject, op === 'pub' ? 'publish' : 'subscribe');
    }
  }

  status(): BusStatus {
    return this.#closed ? 'closed' : 'connected';
  }

  #open(subject = ''): void {
    if (this.#closed) throw new BusClosedError(subject);
  }

  async publish(subject: string, payload: object): Promise<void> {
    this.#open(subject);
    checkOutgoing(subject, payload);
    this.#permit(subject, 'pub');
    this.hub.route(subject, encodeJson(subject, payload));
  }

  async subscribe<T = unknown>(
    pattern: string,
    handler: MessageHandler<T>,
    opts: SubscribeOptions<T> = {},
  ): Promise<Unsubscribe> {
    this.#open(pattern);
    assertPattern(pattern);
    this.#permit(pattern, 'sub');
    const onError = opts.onError ?? this.#onError;
    let active = true;
    let chain: Promise<void> = Promise.resolve();
    const remove = this.hub.add({
      pattern,
      ...(opts.queue !== undefined ? { queue: opts.queue } : {}),
      deliver: (subject, json, reply) => {
        // one message at a time per subscription, in order, like a NATS subscription
        chain = chain.then(async () => {
          if (!active) return;
          const replyWith = reply ? (d: object) => reply(encodeJson(subject, d)) : undefined;
          await deliverMessage(subject, json, replyWith, handler, opts.schema, onError);
        });
      },
    });
    const unsubscribe = () => {
      active = false;
      remove();
    };
    this.#unsubs.add(unsubscribe);
    return async () => {
      unsubscribe();
      this.#unsubs.delete(unsubscribe);
    };
  }

  async request<T = unknown>(subject: string, payload: object, opts: RequestOptions<T> = {}): Promise<T> {
    this.#open(subject);
    checkOutgoing(subject, payload);
    this.#permit(subject, 'pub');
    const json = encodeJson(subject, payload);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        reject(new BusTimeoutError(subject, timeoutMs));
      }, timeoutMs);
      const n = this.hub.route(subject, json, (replyJson) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        try {
          resolve(decodeReply(subject, replyJson, opts.schema));
        } catch (e) {
          reject(e);
        }
      });
      if (n === 0) {
        done = true;
        clearTimeout(timer);
        reject(new NoRespondersError(subject));
      }
    });
  }

  commands(clusterId: string): CommandQueue {
    assertClusterId(clusterId);
    const subject = commandSubject(clusterId);
    const q = this.hub.queue(clusterId);
    const open = () => this.#open(subject);
    // taking a command is, over NATS, a pull request on the cluster's consumer
    const pull = commandNextSubject(clusterId);
    const next = async (timeoutMs: number, signal?: AbortSignal): Promise<ReceivedCommand | null> => {
      open();
      this.#permit(pull, 'pub');
      const got = await q.take(timeoutMs, signal);
      if (!got) return null;
      if (this.#closed) {
        q.release(got.token);
        return null;
      }
      const { token } = got;
      return receiveCommand(
        subject,
        {
          data: got.entry.json,
          deliveryCount: got.entry.deliveries,
          drop: () => q.ack(token),
          ack: () => q.ack(token),
          nak: (delayMs) => q.nak(token, delayMs),
          working: () => q.working(token),
        },
        open,
      );
    };
    const queue = commandQueue({
      clusterId,
      subject,
      open,
      store: async (valid) => {
        this.#permit(subject, 'pub');
        q.send(valid.id, encodeJson(subject, valid));
      },
      next,
      pollMs: 1000,
      isClosed: () => this.#closed,
      onError: this.#onError,
    });
    return {
      ...queue,
      // refused at once rather than by every poll of the loop
      consume: (handler, o) => {
        this.#permit(pull, 'pub');
        return queue.consume(handler, o);
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const u of this.#unsubs) u();
    this.#unsubs.clear();
  }
}
