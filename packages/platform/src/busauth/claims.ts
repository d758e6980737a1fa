import type { BusPermissions } from '@mooring/bus';
import type { User } from '@nats-io/jwt';
import { BusAuthError } from './errors.ts';

/** Default lifetime of issued bus credentials: one hour. */
export const DEFAULT_BUS_CREDENTIALS_TTL_SECONDS = 3600;
/** Shortest and longest lifetimes accepted. */
export const MIN_BUS_CREDENTIALS_TTL_SECONDS = 60;
export const MAX_BUS_CREDENTIALS_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The NATS user claims of a connection with `permissions`: publish and subscribe allow
 * lists (everything else denied), replies to received requests when `responses` is set
 * (`resp`: at most `max` per request within the TTL), no bearer use (the holder must sign
 * the server's challenge with the seed), client connections only (no leaf node, no MQTT).
 */
export function userClaims(permissions: BusPermissions): Partial<User> {
  const r = permissions.responses;
  return {
    pub: { allow: [...permissions.publish] },
    sub: { allow: [...permissions.subscribe] },
    // the JWT carries the TTL in nanoseconds
    ...(r ? { resp: { max: r.max, ttl: r.ttlMs * 1_000_000 } } : {}),
    bearer_token: false,
    allowed_connection_types: ['STANDARD', 'WEBSOCKET'],
  };
}

/** Expiry (seconds since the epoch, as in a JWT's `exp`) of credentials issued at `now`. */
export function expirySeconds(now: Date, ttlSeconds = DEFAULT_BUS_CREDENTIALS_TTL_SECONDS): number {
  if (
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < MIN_BUS_CREDENTIALS_TTL_SECONDS ||
    ttlSeconds > MAX_BUS_CREDENTIALS_TTL_SECONDS
  ) {
    throw new BusAuthError(
      `bus credentials TTL must be a whole number of seconds from ${MIN_BUS_CREDENTIALS_TTL_SECONDS} to ${MAX_BUS_CREDENTIALS_TTL_SECONDS}, got ${ttlSeconds}`,
    );
  }
  return Math.floor(now.getTime() / 1000) + ttlSeconds;
}

/**
 * When a holder should fetch new credentials: once two thirds of their lifetime have
 * passed, so a failed renewal still leaves time to retry before the server disconnects it.
 */
export function renewAt(issuedAt: Date, expiresAt: Date): Date {
  const life = expiresAt.getTime() - issuedAt.getTime();
  return new Date(issuedAt.getTime() + Math.floor((life * 2) / 3));
}
