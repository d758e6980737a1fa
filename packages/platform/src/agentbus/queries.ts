import type { Database } from '../db/types.ts';

/** Records a bus user issued to a cluster's agent (its public key only). */
export async function recordBusUser(
  db: Database,
  u: { userPublicKey: string; clusterId: string; issuedAt: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('agent_bus_users')
    .values({
      user_public_key: u.userPublicKey,
      cluster_id: u.clusterId,
      issued_at: u.issuedAt,
      expires_at: u.expiresAt,
    })
    .execute();
}

/** Revokes every unexpired bus user of a cluster; answers their public keys. */
export async function revokeClusterBusUsers(db: Database, clusterId: string, now: Date): Promise<string[]> {
  const rows = await db
    .updateTable('agent_bus_users')
    .set({ revoked_at: now })
    .where('cluster_id', '=', clusterId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_public_key')
    .execute();
  return rows.map((r) => r.user_public_key);
}

/** Public keys among `keys` that are revoked and not yet expired (the server would still accept them). */
export async function revokedBusUsers(
  db: Database,
  keys: readonly string[],
  now: Date,
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('agent_bus_users')
    .select('user_public_key')
    .where('user_public_key', 'in', [...keys])
    .where('revoked_at', 'is not', null)
    .where('expires_at', '>', now)
    .execute();
  return new Set(rows.map((r) => r.user_public_key));
}

/** Forgets users whose credentials expired (the server refuses them by itself). */
export async function pruneBusUsers(db: Database, now: Date): Promise<void> {
  await db.deleteFrom('agent_bus_users').where('expires_at', '<=', now).execute();
}
