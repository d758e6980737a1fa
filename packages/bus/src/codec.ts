import { BusMessageError } from './errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON text of a payload (throws `BusMessageError` for what JSON cannot carry, e.g. a cycle or a bigint). */
export function encodeJson(subject: string, payload: unknown): string {
  if (payload === null || typeof payload !== 'object') {
    throw new BusMessageError(subject, [{ path: '', message: 'payload must be an object or an array' }]);
  }
  try {
    return JSON.stringify(payload);
  } catch (e) {
    throw new BusMessageError(
      subject,
      [{ path: '', message: `not encodable as JSON: ${(e as Error).message}` }],
      {
        cause: e,
      },
    );
  }
}

export function encode(subject: string, payload: unknown): Uint8Array {
  return encoder.encode(encodeJson(subject, payload));
}

/** The payload of JSON text or bytes; `BusMessageError` when it is not JSON. */
export function decode(subject: string, data: string | Uint8Array): unknown {
  const text = typeof data === 'string' ? data : decoder.decode(data);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BusMessageError(subject, [{ path: '', message: `not JSON: ${(e as Error).message}` }], {
      cause: e,
    });
  }
}
