/**
 * Roles and token scopes, and the decisions over them (pure).
 *
 * - `viewer`: reads everything in the organisation.
 * - `operator`: also acts on clusters (sync, sweeps, rollbacks).
 * - `admin`: also imports and deletes clusters, manages users and tokens of others.
 * - `owner`: also grants and removes the owner role.
 */
export const ROLES = ['viewer', 'operator', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** What an API token may do, whatever its user's role: `read` ≤ viewer, `write` ≤ operator, `admin` ≤ the user's role. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };
const SCOPE_CEILING: Record<Scope, Role> = { read: 'viewer', write: 'operator', admin: 'owner' };

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

function lower(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/** The role a request acts with: the user's role, capped by the highest scope of its token. */
export function effectiveRole(userRole: Role, scopes: readonly Scope[]): Role {
  if (scopes.length === 0) return 'viewer';
  const ceiling = scopes.map((s) => SCOPE_CEILING[s]).reduce((a, b) => (RANK[a] >= RANK[b] ? a : b));
  return lower(userRole, ceiling);
}

/** Whether `actor` may give `target` to someone (or change someone who has `current`). */
export function mayAssignRole(actor: Role, target: Role, current?: Role): boolean {
  if (!roleAtLeast(actor, 'admin')) return false;
  if (target === 'owner' || current === 'owner') return actor === 'owner';
  return true;
}

export function parseScopes(text: string): Scope[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}
