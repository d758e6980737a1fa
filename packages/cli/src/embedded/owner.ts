/**
 * The principal the embedded mode acts as when it imports and deploys on the
 * operator's behalf: the first owner of the first organisation (created at
 * the platform's first start).
 */
import type { ClustersService, Database } from '@mooring/platform';

/** A signed-in user as the platform's services take it. */
export type UserPrincipal = Parameters<ClustersService['import']>[0];

export async function ownerPrincipal(db: Database): Promise<UserPrincipal> {
  const owner = await db
    .selectFrom('users')
    .select(['id', 'organization_id', 'username'])
    .where('role', '=', 'owner')
    .orderBy('created_at')
    .executeTakeFirst();
  if (!owner) throw new Error('the platform has no owner yet: its first start creates one');
  return {
    kind: 'user',
    userId: owner.id,
    organizationId: owner.organization_id,
    username: owner.username,
    role: 'owner',
    userRole: 'owner',
    tokenId: 'embedded',
    tokenKind: 'session',
    scopes: ['admin'],
  };
}
