import { z } from 'zod';
import type { TokenRow, UserRow } from '../db/types.ts';
import { parseScopes, ROLES, SCOPES, type Scope } from './roles.ts';

export const userSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    display_name: z.string(),
    role: z.enum(ROLES),
    created_at: z.string(),
  })
  .meta({ id: 'User' });
export type UserView = z.infer<typeof userSchema>;

export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('the first characters of the secret'),
    scopes: z.array(z.enum(SCOPES)),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'Token' });
export type TokenView = z.infer<typeof tokenSchema>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function userView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    display_name: u.display_name,
    role: u.role as UserView['role'],
    created_at: u.created_at.toISOString(),
  };
}

export function tokenView(t: TokenRow): TokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: parseScopes(t.scopes) as Scope[],
    expires_at: iso(t.expires_at),
    last_used_at: iso(t.last_used_at),
    revoked_at: iso(t.revoked_at),
    created_at: t.created_at.toISOString(),
  };
}
