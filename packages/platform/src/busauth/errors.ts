/** Bus credentials cannot be issued: a key that is not what it must be, a TTL out of range. */
export class BusAuthError extends Error {
  override readonly name = 'BusAuthError';
}
