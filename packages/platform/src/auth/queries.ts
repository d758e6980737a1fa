import { sql } from 'kysely';
import type { Database, TokenRow, UserRow } from '../db/types.ts';
import { type PageRequest, pageOffset, sortModifier } from '../http/pagination.ts';

export const USER_SORT_FIELDS = ['username', 'role', 'created_at'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];
export const TOKEN_SORT_FIELDS = ['name', 'created_at', 'expires_at', 'last_used_at'] as const;
export type TokenSortField = (typeof TOKEN_SORT_FIELDS)[number];

export interface TokenWithUser {
  token: TokenRow;
  user: UserRow;
}

export async function findTokenByHash(db: Database, hash: string): Promise<TokenWithUser | undefined> {
  const token = await db.selectFrom('tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  if (!token) return undefined;
  const user = await db.selectFrom('users').selectAll().where('id', '=', token.user_id).executeTakeFirst();
  return user ? { token, user } : undefined;
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
  const rows = await base
    .selectAll()
    .orderBy(p.sort.field, p.sort.direction)
    .orderBy('id')
    .limit(p.pageSize)
    .offset(pageOffset(p))
    .execute();
  const { total } = await base.select(sql<string>`count(*)`.as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
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
  const rows = await base
    .selectAll()
    .orderBy(p.sort.field, sortModifier(p.sort.direction))
    .orderBy('id')
    .limit(p.pageSize)
    .offset(pageOffset(p))
    .execute();
  const { total } = await base.select(sql<string>`count(*)`.as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
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
