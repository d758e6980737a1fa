import type { ZodType } from 'zod';
import type { CommandEnvelope } from './schemas.ts';

/** `connected`; `reconnecting` (the connection dropped, the client retries forever); `closed`. */
export type BusStatus = 'connected' | 'reconnecting' | 'closed';

/** One message as a handler sees it. */
export interface BusMessage<T = unknown> {
  subject: string;
  /** The decoded (and, where a schema is known, validated) JSON payload. */
  data: T;
  /** Present when the sender waits for a reply (`request`). */
  reply?: (data: object) => void;
}

export type MessageHandler<T = unknown> = (msg: BusMessage<T>) => void | Promise<void>;

export interface SubscribeOptions<T = unknown> {
  /** Validate payloads with this schema instead of the one known for the subject. */
  schema?: ZodType<T>;
  /** Queue group: each message goes to one subscriber of the group. */
  queue?: string;
  /**
   * Called with a `BusMessageError` for a payload that is not JSON or fails its schema
   * (the handler is not called), and with whatever a handler throws. The subscription
   * goes on either way. Default: the bus's `onError`.
   */
  onError?: (err: unknown, subject: string) => void;
}

/** Stops a subscription; resolves when the server (or the in-process hub) has forgotten it. */
export type Unsubscribe = () => Promise<void>;

export interface RequestOptions<T = unknown> {
  /** Reject with `BusTimeoutError` after this long (default 5000). */
  timeoutMs?: number;
  /** Validate the reply with this schema (`BusMessageError` when it does not match). */
  schema?: ZodType<T>;
}

/** A command handed to a consumer: settle it with `ack` (done) or `nak` (redeliver). */
export interface ReceivedCommand {
  command: CommandEnvelope;
  /** 1 on the first delivery, then 2, 3... */
  deliveryCount: number;
  /** Done: the command leaves the queue. */
  ack(): Promise<void>;
  /** Not done: deliver it again, at once or after `delayMs`. */
  nak(delayMs?: number): Promise<void>;
  /** Still working: restarts the ack timer so a long command is not redelivered meanwhile. */
  working(): Promise<void>;
}

export interface ConsumeOptions {
  /** Called with a `BusMessageError` for an invalid command (dropped, never redelivered) and with handler errors (the command is nak'ed). */
  onError?: (err: unknown, subject: string) => void;
  /** Delay before a command whose handler threw is delivered again (default 1000 ms). */
  retryDelayMs?: number;
}

export interface CommandConsumer {
  /** Stops taking commands; commands received but not settled are redelivered after the ack wait. */
  stop(): Promise<void>;
}

/**
 * One cluster's durable command queue (at least once): the platform `send`s, the
 * cluster's agent takes commands with `next` or `consume` and acks each. A command not
 * acked within the ack wait (the agent died, lost its connection) or nak'ed is
 * delivered again.
 */
export interface CommandQueue {
  readonly clusterId: string;
  readonly subject: string;
  /** Validates and stores the command; a repeated `id` is stored once (de-duplication window: 2 min). */
  send(command: CommandEnvelope): Promise<void>;
  /**
   * The next command, or null when none came within `timeoutMs` (default 5000; at least 1000 on NATS)
   * or `signal` was aborted first. Over NATS this is one long-poll pull request: a command sent while
   * it waits is delivered at once, so a long `timeoutMs` costs nothing but an idle request.
   */
  next(opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<ReceivedCommand | null>;
  /**
   * Runs `handler` for each command, one at a time: resolved → ack (unless the handler
   * settled it), thrown → nak after `retryDelayMs`.
   */
  consume(handler: (cmd: ReceivedCommand) => Promise<void> | void, opts?: ConsumeOptions): CommandConsumer;
}

/** One messaging interface for the platform and the agent: in-process or NATS. */
export interface Bus {
  /** Publishes a JSON payload (validated first when the subject's schema is known). */
  publish(subject: string, payload: object): Promise<void>;
  /** Subscribes to a subject pattern (`*` one token, `>` the rest); handlers run one message at a time. */
  subscribe<T = unknown>(
    pattern: string,
    handler: MessageHandler<T>,
    opts?: SubscribeOptions<T>,
  ): Promise<Unsubscribe>;
  /** Sends a request and resolves with the reply's payload. `BusTimeoutError`, `NoRespondersError`. */
  request<T = unknown>(subject: string, payload: object, opts?: RequestOptions<T>): Promise<T>;
  /** The durable command queue of one cluster. */
  commands(clusterId: string): CommandQueue;
  status(): BusStatus;
  /** Closes the connection; subscriptions end, unsettled commands are redelivered later. */
  close(): Promise<void>;
}
