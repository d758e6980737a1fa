/** Why a stored token does not authenticate, or `usable` (pure). */
export type TokenState = 'usable' | 'revoked' | 'expired';

export function tokenState(
  token: { revoked_at: Date | null; expires_at: Date | null },
  now: Date,
): TokenState {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && token.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'usable';
}

/** A token's `last_used_at` is written at most this often (seconds), to keep reads from becoming writes. */
export const LAST_USED_RESOLUTION_SECONDS = 60;

export function shouldTouch(lastUsed: Date | null, now: Date): boolean {
  return !lastUsed || now.getTime() - lastUsed.getTime() >= LAST_USED_RESOLUTION_SECONDS * 1000;
}
