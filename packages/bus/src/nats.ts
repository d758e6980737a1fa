import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import {
  type Authenticator,
  ClosedConnectionError,
  connect,
  credsAuthenticator,
  type NatsConnection,
  NoRespondersError as NatsNoRespondersError,
  type NodeConnectionOptions,
  nanos,
  nkeyAuthenticator,
  PermissionViolationError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import { encode } from './codec.ts';
import { commandQueue, receiveCommand } from './commandQueue.ts';
import {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  defaultOnError,
} from './defaults.ts';
import { BusClosedError, BusPermissionError, BusTimeoutError, NoRespondersError } from './errors.ts';
import { checkOutgoing, decodeReply, deliverMessage } from './messages.ts';
import {
  assertClusterId,
  assertPattern,
  COMMAND_SUBJECTS,
  COMMANDS_STREAM,
  commandConsumerName,
  commandSubject,
} from './subjects.ts';
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

export interface NatsBusOptions {
  /** `nats://host:4222`, or several servers of a cluster. */
  servers: string | string[];
  /** Connection name shown by the server (e.g. `mooring-agent/<cluster>`). */
  name?: string;
  /** Secret. Token authentication. */
  token?: string;
  user?: string;
  /** Secret. */
  pass?: string;
  /** Secret. An NKey seed (`SU...`): the server challenges, the seed signs. */
  nkeySeed?: string;
  /**
   * Secret. The text of a `.creds` file (user JWT and NKey seed), e.g. from the platform in
   * operator mode; a function is asked again at every (re)connection, so credentials
   * renewed before they expire are used by the next reconnect.
   */
  creds?: string | (() => string);
  /**
   * Prefix of the connection's reply inboxes (default `_INBOX`). A connection whose
   * permissions allow only its own inbox uses that prefix, e.g. `agentInboxPrefix(clusterId)`.
   */
  inboxPrefix?: string;
  /** Wait between reconnect attempts (default 2000 ms), plus a random jitter up to `reconnectJitterMs` (default 1000 ms). */
  reconnectTimeWaitMs?: number;
  reconnectJitterMs?: number;
  /** Keep trying when the first connection fails instead of rejecting (default false). */
  waitOnFirstConnect?: boolean;
  /** A delivered command not acked within this long is delivered again (default 30 s). */
  commandAckWaitMs?: number;
  /**
   * Replicas of the commands stream when this connection creates it (default 1). On a
   * nats-server cluster with JetStream (the scaled mode), 3 keeps every command and every
   * consumer's acks on three servers, so losing one loses nothing.
   */
  commandReplicas?: number;
  /** Receives invalid messages and handler errors of subscriptions without their own `onError`. */
  onError?: (err: unknown, subject: string) => void;
  /** Called on every status change. */
  onStatus?: (status: BusStatus) => void;
}

/** The options `connect` gets: reconnect forever with jitter, authentication from the secrets given. */
export function natsConnectionOptions(opts: NatsBusOptions): NodeConnectionOptions {
  const authenticator: Authenticator[] = [];
  if (opts.nkeySeed) authenticator.push(nkeyAuthenticator(new TextEncoder().encode(opts.nkeySeed)));
  const creds = opts.creds;
  if (typeof creds === 'function') {
    authenticator.push(credsAuthenticator(() => new TextEncoder().encode(creds())));
  } else if (creds) authenticator.push(credsAuthenticator(new TextEncoder().encode(creds)));
  return {
    servers: opts.servers,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    ...(opts.user !== undefined ? { user: opts.user } : {}),
    ...(opts.pass !== undefined ? { pass: opts.pass } : {}),
    ...(authenticator.length > 0 ? { authenticator } : {}),
    ...(opts.inboxPrefix !== undefined ? { inboxPrefix: opts.inboxPrefix } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: opts.reconnectTimeWaitMs ?? 2000,
    reconnectJitter: opts.reconnectJitterMs ?? 1000,
    reconnectJitterTLS: opts.reconnectJitterMs ?? 1000,
    waitOnFirstConnect: opts.waitOnFirstConnect ?? false,
  };
}

/** JetStream's ack, as `ackAck` sends it. */
const ACK = new TextEncoder().encode('+ACK');

/** The bus's error for the server's permissions violation (`cause`: what the client threw). */
function permissionError(e: PermissionViolationError, cause: unknown = e): BusPermissionError {
  return new BusPermissionError(e.subject, e.operation === 'publish' ? 'publish' : 'subscribe', { cause });
}

/** `BusPermissionError` when a permissions violation is among `err`'s causes; `err` otherwise. */
function mapPermission(err: unknown): unknown {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof PermissionViolationError) return permissionError(e, err);
  }
  return err;
}

/** The stream or the consumer does not exist (yet). */
function isMissing(e: unknown): boolean {
  return (
    e instanceof JetStreamApiError &&
    (e.code === JetStreamApiCodes.ConsumerNotFound || e.code === JetStreamApiCodes.StreamNotFound)
  );
}

function mapRequestError(err: unknown, subject: string, timeoutMs: number): unknown {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof PermissionViolationError) return permissionError(e, err);
    if (e instanceof NatsNoRespondersError || (e instanceof RequestError && e.isNoResponders())) {
      return new NoRespondersError(subject, { cause: err });
    }
    if (e instanceof TimeoutError) return new BusTimeoutError(subject, timeoutMs, { cause: err });
    if (e instanceof ClosedConnectionError) return new BusClosedError(subject, { cause: err });
  }
  return err;
}

/**
 * The bus over NATS: core NATS for publish/subscribe and request/reply, JetStream for
 * the durable command queues (stream `MOORING_COMMANDS`, work-queue retention, one
 * durable pull consumer `agent-{cluster_id}` per cluster, explicit acks).
 */
export class NatsBus implements Bus {
  readonly nc: NatsConnection;
  readonly #onError: (err: unknown, subject: string) => void;
  readonly #onStatus: ((s: BusStatus) => void) | undefined;
  readonly #ackWaitMs: number;
  readonly #replicas: number;
  readonly #consumers = new Map<string, Promise<Consumer>>();
  #status: BusStatus = 'connected';
  #closing = false;
  #js: JetStreamClient | undefined;
  #jsm: Promise<JetStreamManager> | undefined;
  #stream: Promise<void> | undefined;

  /** Connects (see `natsConnectionOptions`). */
  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const nc = await connect(natsConnectionOptions(opts));
    return new NatsBus(nc, opts);
  }

  /** Wraps an open connection. */
  constructor(nc: NatsConnection, opts: Omit<NatsBusOptions, 'servers'> = {}) {
    this.nc = nc;
    this.#onError = opts.onError ?? defaultOnError;
    this.#onStatus = opts.onStatus;
    this.#ackWaitMs = opts.commandAckWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.#replicas = opts.commandReplicas ?? 1;
    void this.#watchStatus();
    void nc.closed().then(() => this.#setStatus('closed'));
  }

  async #watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') this.#setStatus('reconnecting');
      else if (s.type === 'reconnect') this.#setStatus('connected');
      // a refused publish is only known when the server says so, after the call returned
      else if (s.type === 'error' && s.error instanceof PermissionViolationError) {
        const e = permissionError(s.error);
        if (e.operation === 'publish') this.#onError(e, e.subject);
      }
    }
  }

  #setStatus(s: BusStatus): void {
    if (this.#status === s || this.#status === 'closed') return;
    this.#status = s;
    this.#onStatus?.(s);
  }

  status(): BusStatus {
    return this.#status;
  }

  #open(subject = ''): void {
    if (this.#closing || this.nc.isClosed()) throw new BusClosedError(subject);
  }

  async publish(subject: string, payload: object): Promise<void> {
    this.#open(subject);
    checkOutgoing(subject, payload);
    this.nc.publish(subject, encode(subject, payload));
  }

  async subscribe<T = unknown>(
    pattern: string,
    handler: MessageHandler<T>,
    opts: SubscribeOptions<T> = {},
  ): Promise<Unsubscribe> {
    this.#open(pattern);
    assertPattern(pattern);
    const onError = opts.onError ?? this.#onError;
    const sub = this.nc.subscribe(pattern, opts.queue !== undefined ? { queue: opts.queue } : {});
    void (async () => {
      try {
        for await (const m of sub) {
          const replyWith = m.reply ? (d: object) => void m.respond(encode(m.subject, d)) : undefined;
          await deliverMessage(m.subject, m.data, replyWith, handler, opts.schema, onError);
        }
      } catch {
        // the subscription ended with an error: reported below through `sub.closed`
      }
    })();
    // the server knows the interest once the flush returns: a publish from another connection
    // reaches it; a refused subscription has been closed by then
    await this.nc.flush();
    if (sub.isClosed()) {
      const why = await sub.closed;
      if (why instanceof PermissionViolationError) throw permissionError(why);
      if (why instanceof Error) throw why;
    }
    return async () => {
      if (sub.isClosed()) return;
      sub.unsubscribe();
      if (!this.nc.isClosed()) await this.nc.flush().catch(() => {});
    };
  }

  async request<T = unknown>(subject: string, payload: object, opts: RequestOptions<T> = {}): Promise<T> {
    this.#open(subject);
    checkOutgoing(subject, payload);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    let reply: Uint8Array;
    try {
      reply = (await this.nc.request(subject, encode(subject, payload), { timeout: timeoutMs })).data;
    } catch (e) {
      throw mapRequestError(e, subject, timeoutMs);
    }
    return decodeReply(subject, reply, opts.schema);
  }

  #jetstream(): JetStreamClient {
    this.#js ??= jetstream(this.nc, { checkAPI: false });
    return this.#js;
  }

  #manager(): Promise<JetStreamManager> {
    // no account-info probe: an agent's permissions allow only its own consumer's API
    this.#jsm ??= jetstreamManager(this.nc, { checkAPI: false });
    return this.#jsm;
  }

  /** Creates the commands stream when missing (idempotent; a failure is retried on the next call). */
  #ensureStream(): Promise<void> {
    this.#stream ??= (async () => {
      const jsm = await this.#manager();
      try {
        await jsm.streams.info(COMMANDS_STREAM);
      } catch {
        try {
          await jsm.streams.add({
            name: COMMANDS_STREAM,
            subjects: [COMMAND_SUBJECTS],
            retention: RetentionPolicy.Workqueue,
            storage: StorageType.File,
            duplicate_window: nanos(DEFAULT_DUPLICATE_WINDOW_MS),
            num_replicas: this.#replicas,
          });
        } catch (e) {
          // another connection may have created it meanwhile
          await jsm.streams.info(COMMANDS_STREAM).catch(() => {
            throw e;
          });
        }
      }
    })().catch((e) => {
      this.#stream = undefined;
      throw e;
    });
    return this.#stream;
  }

  /**
   * Creates the commands stream and the durable consumer of one cluster when missing, and
   * sets its ack wait. The platform calls it before the cluster's agent connects with
   * credentials that may only use that consumer (`agentPermissions`), never create it.
   */
  async prepareCommands(clusterId: string): Promise<void> {
    assertClusterId(clusterId);
    this.#open(commandSubject(clusterId));
    await this.#ensureStream();
    const jsm = await this.#manager();
    const durable = commandConsumerName(clusterId);
    const ackWait = nanos(this.#ackWaitMs);
    try {
      const info = await jsm.consumers.info(COMMANDS_STREAM, durable);
      if (info.config.ack_wait !== ackWait) {
        await jsm.consumers.update(COMMANDS_STREAM, durable, { ack_wait: ackWait });
      }
    } catch {
      await jsm.consumers.add(COMMANDS_STREAM, {
        durable_name: durable,
        filter_subject: commandSubject(clusterId),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: ackWait,
        max_deliver: -1,
      });
    }
  }

  #consumer(clusterId: string): Promise<Consumer> {
    let c = this.#consumers.get(clusterId);
    if (!c) {
      c = (async () => {
        const jsm = await this.#manager();
        const durable = commandConsumerName(clusterId);
        // the consumer's own API first: all a connection restricted to its cluster may use
        const info = await jsm.consumers.info(COMMANDS_STREAM, durable).catch((e: unknown) => {
          if (isMissing(e)) return undefined;
          throw e;
        });
        if (!info) await this.prepareCommands(clusterId);
        else if (info.config.ack_wait !== nanos(this.#ackWaitMs)) {
          // a restricted connection cannot change it: it keeps the platform's ack wait
          await this.prepareCommands(clusterId).catch((e) => this.#onError(e, commandSubject(clusterId)));
        }
        return this.#jetstream().consumers.get(COMMANDS_STREAM, durable);
      })();
      c.catch(() => this.#consumers.delete(clusterId));
      this.#consumers.set(clusterId, c);
    }
    return c;
  }

  commands(clusterId: string): CommandQueue {
    assertClusterId(clusterId);
    const subject = commandSubject(clusterId);
    const open = () => this.#open(subject);
    const flush = () => this.nc.flush();
    const next = async (timeoutMs: number, signal?: AbortSignal): Promise<ReceivedCommand | null> => {
      open();
      if (signal?.aborted) return null;
      let m: JsMsg | null = null;
      try {
        const consumer = await this.#consumer(clusterId);
        if (signal?.aborted) return null;
        // one pull request held by the server until a command comes or it expires; an abort
        // stops it here (the server drops a request whose subscription is gone)
        const pull = await consumer.fetch({ max_messages: 1, expires: Math.max(1000, timeoutMs) });
        const stop = () => pull.stop();
        signal?.addEventListener('abort', stop, { once: true });
        try {
          for await (const got of pull) {
            m = got;
            break;
          }
        } finally {
          signal?.removeEventListener('abort', stop);
        }
      } catch (e) {
        throw mapPermission(e);
      }
      if (!m) return null;
      let ackTried = false;
      return receiveCommand(
        subject,
        {
          data: m.data,
          deliveryCount: m.info.deliveryCount,
          // a poison message is acked, so the work queue forgets it
          drop: async () => {
            await m.ackAck().catch(() => {});
          },
          ack: async () => {
            if (!ackTried) {
              ackTried = true;
              await m.ackAck();
              return;
            }
            // again after a failed ack (sent while the connection was down and lost with it):
            // the client acks a message only once and would answer at once without asking, so
            // the ack goes to the server directly and waits for its confirmation
            // (the delivery's ack subject: `reply` of the message, which JsMsg's type leaves out)
            const ackSubject = (m as unknown as { reply: string }).reply;
            await this.nc.request(ackSubject, ACK, { timeout: DEFAULT_REQUEST_TIMEOUT_MS });
          },
          nak: async (delayMs) => {
            m.nak(delayMs);
            await flush();
          },
          working: async () => {
            m.working();
            await flush();
          },
        },
        open,
      );
    };
    return commandQueue({
      clusterId,
      subject,
      open,
      store: async (valid) => {
        try {
          await this.#ensureStream();
          await this.#jetstream().publish(subject, encode(subject, valid), { msgID: valid.id });
        } catch (e) {
          throw mapPermission(e);
        }
      },
      next,
      pollMs: 5000,
      isClosed: () => this.#closing || this.nc.isClosed(),
      onError: this.#onError,
    });
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close();
    }
  }
}
