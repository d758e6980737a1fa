import { sql } from 'kysely';
import { pageWithTotal } from '../db/pageQuery.ts';
import type { Database, TokenRow, UserRow } from '../db/types.ts';
import { type PageRequest, pageOffset, sortModifier } from '../http/pagination.ts';

export const USER_SORT_FIELDS = ['username', 'role', 'created_at'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];
export const TOKEN_SORT_FIELDS = ['name', 'created_at', 'expires_at', 'last_used_at'] as const;
export type TokenSortField = (typeof TOKEN_SORT_FIELDS)[number];

/** What a request's principal is made of: the token and the fields of its user that it needs. */
export interface TokenWithUser {
  token: TokenRow;
  user: Pick<UserRow, 'id' | 'organization_id' | 'username' | 'role'>;
}

/** A token and its user, in one statement (every authenticated request makes it). */
export async function findTokenByHash(db: Database, hash: string): Promise<TokenWithUser | undefined> {
  const row = await db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .selectAll('tokens')
    .select([
      'users.organization_id as user_organization_id',
      'users.username as user_username',
      'users.role as user_role',
    ])
    .where('tokens.token_hash', '=', hash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { user_organization_id, user_username, user_role, ...token } = row;
  return {
    token,
    user: {
      id: token.user_id,
      organization_id: user_organization_id,
      username: user_username,
      role: user_role,
    },
  };
}

export async function touchToken(db: Database, id: string, now: Date): Promise<void> {
  await db.updateTable('tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function findUserByName(db: Database, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findUser(
  db: Database,
  organizationId: string,
  id: string,
): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listUsers(
  db: Database,
  organizationId: string,
  p: PageRequest<UserSortField>,
): Promise<{ rows: UserRow[]; total: number }> {
  const base = db.selectFrom('users').where('organization_id', '=', organizationId);
  return pageWithTotal(
    base
      .selectAll()
      .orderBy(p.sort.field, p.sort.direction)
      .orderBy('id')
      .limit(p.pageSize)
      .offset(pageOffset(p)),
    base.select(sql<string>`count(*)`.as('total')),
  );
}

export async function countOwners(db: Database, organizationId: string): Promise<number> {
  const { n } = await db
    .selectFrom('users')
    .where('organization_id', '=', organizationId)
    .where('role', '=', 'owner')
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function listApiTokens(
  db: Database,
  userId: string,
  p: PageRequest<TokenSortField>,
): Promise<{ rows: TokenRow[]; total: number }> {
  const base = db.selectFrom('tokens').where('user_id', '=', userId).where('kind', '=', 'api');
  return pageWithTotal(
    base
      .selectAll()
      .orderBy(p.sort.field, sortModifier(p.sort.direction))
      .orderBy('id')
      .limit(p.pageSize)
      .offset(pageOffset(p)),
    base.select(sql<string>`count(*)`.as('total')),
  );
}

export async function findToken(
  db: Database,
  organizationId: string,
  id: string,
): Promise<TokenRow | undefined> {
  return db
    .selectFrom('tokens')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function revokeToken(db: Database, id: string, now: Date): Promise<void> {
  await db
    .updateTable('tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}
