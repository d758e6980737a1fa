import type { ZodType } from 'zod';
import { decode } from './codec.ts';
import { parseWith, validateMessage } from './schemas.ts';
import { assertSubject } from './subjects.ts';
import type { MessageHandler } from './types.ts';

/** What both implementations check before a payload leaves: a concrete subject and a valid message. */
export function checkOutgoing(subject: string, payload: object): void {
  assertSubject(subject);
  validateMessage(subject, payload);
}

/**
 * Hands one received message to a subscription's handler: decoded and validated first;
 * an invalid message and whatever the handler throws go to `onError`.
 */
export async function deliverMessage<T>(
  subject: string,
  raw: string | Uint8Array,
  reply: ((data: object) => void) | undefined,
  handler: MessageHandler<T>,
  schema: ZodType<T> | undefined,
  onError: (err: unknown, subject: string) => void,
): Promise<void> {
  try {
    const data = validateMessage<T>(subject, decode(subject, raw), schema);
    await handler({ subject, data, ...(reply ? { reply } : {}) });
  } catch (e) {
    onError(e, subject);
  }
}

/** The payload of a reply, checked against `schema` when one is given. */
export function decodeReply<T>(subject: string, raw: string | Uint8Array, schema: ZodType<T> | undefined): T {
  const data = decode(subject, raw);
  return schema ? parseWith(subject, data, schema) : (data as T);
}
