import { decode } from './codec.ts';
import { runConsumer } from './consume.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './defaults.ts';
import { type CommandEnvelope, commandEnvelopeSchema, validateMessage } from './schemas.ts';
import type { CommandQueue, ReceivedCommand } from './types.ts';

/** One delivery of a command as an implementation's queue hands it out. */
export interface CommandDelivery {
  data: string | Uint8Array;
  deliveryCount: number;
  /** Removes a poison message for good (it is never redelivered). */
  drop(): void | Promise<void>;
  ack(): void | Promise<void>;
  nak(delayMs?: number): void | Promise<void>;
  working(): void | Promise<void>;
}

/**
 * The `ReceivedCommand` of a delivery: the envelope decoded and validated (an invalid one is
 * dropped and its error thrown); `open` throws once the bus is closed.
 */
export async function receiveCommand(
  subject: string,
  delivery: CommandDelivery,
  open: () => void,
): Promise<ReceivedCommand> {
  let command: CommandEnvelope;
  try {
    command = validateMessage(subject, decode(subject, delivery.data), commandEnvelopeSchema);
  } catch (e) {
    await delivery.drop();
    throw e;
  }
  return {
    command,
    deliveryCount: delivery.deliveryCount,
    ack: async () => {
      open();
      await delivery.ack();
    },
    nak: async (delayMs?: number) => {
      open();
      await delivery.nak(delayMs);
    },
    working: async () => {
      open();
      await delivery.working();
    },
  };
}

export interface CommandQueueParts {
  clusterId: string;
  subject: string;
  /** Throws once the bus is closed. */
  open: () => void;
  /** Stores a validated command. */
  store: (command: CommandEnvelope) => Promise<void>;
  /** The next command, or null after `timeoutMs`. */
  next: (timeoutMs: number, signal?: AbortSignal) => Promise<ReceivedCommand | null>;
  /** How long one `consume` poll waits. */
  pollMs: number;
  isClosed: () => boolean;
  onError: (err: unknown, subject: string) => void;
}

/** A `CommandQueue` over an implementation's store and take: validation, defaults and `consume`. */
export function commandQueue(parts: CommandQueueParts): CommandQueue {
  const { clusterId, subject, open, next } = parts;
  return {
    clusterId,
    subject,
    send: async (command) => {
      open();
      await parts.store(validateMessage(subject, command, commandEnvelopeSchema));
    },
    next: (o = {}) => next(o.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, o.signal),
    consume: (handler, o = {}) =>
      runConsumer(subject, next, handler, {
        ...o,
        pollMs: parts.pollMs,
        isClosed: parts.isClosed,
        defaultOnError: parts.onError,
      }),
  };
}
