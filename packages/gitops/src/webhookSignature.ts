import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from './errors.ts';

/** `sha256=<hex>` over the raw body with the shared secret, as GitHub and Bitbucket send it. */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks a `sha256=<hex>` signature header against the raw body in constant time.
 * Throws WebhookSignatureError when the header is missing, malformed or wrong.
 */
export function verifySignature(
  secret: string,
  body: string | Uint8Array,
  header: string | undefined,
  headerName: string,
): void {
  if (!header) throw new WebhookSignatureError(`missing ${headerName} header`);
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m?.[1])
    throw new WebhookSignatureError(`malformed ${headerName} header (expected sha256=<64 hex digits>)`);
  const given = Buffer.from(m[1].toLowerCase(), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new WebhookSignatureError(`${headerName} does not match the payload`);
  }
}
