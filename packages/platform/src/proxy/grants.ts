import { z } from 'zod';

/** What a user may do in one cluster through the kubectl proxy: the built-in ClusterRole of that name. */
export const GRANT_ROLES = ['view', 'edit', 'admin', 'cluster-admin'] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

/** One user's access to one cluster, optionally limited to one namespace. */
export interface Grant {
  role: GrantRole;
  namespace: string | null;
}

export const grantBodySchema = z.strictObject({
  role: z.enum(GRANT_ROLES),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes namespace name')
    .nullable()
    .optional(),
});

/** Why a grant cannot be stored (pure): `cluster-admin` is cluster-wide by nature. */
export function grantProblem(g: Grant): string | undefined {
  if (g.role === 'cluster-admin' && g.namespace) return 'cluster-admin cannot be limited to a namespace';
  return undefined;
}

/** The group a grant puts its user in (bound to the ClusterRole by the agent's chart or a RoleBinding). */
export function grantGroup(g: Grant): string {
  return g.namespace ? `mooring:namespace:${g.namespace}:${g.role}` : `mooring:${g.role}`;
}

/**
 * Who the agent acts as for a user (pure): `mooring:<username>` in the grant's group and
 * `system:authenticated` (so discovery works as for any signed-in user). The cluster's
 * RBAC binds the groups (without a grant: only `system:authenticated`, used for discovery): `mooring:<role>` to the ClusterRole `<role>` cluster-wide, and
 * `mooring:namespace:<ns>:<role>` to it in namespace `<ns>` only.
 */
export function impersonationFor(username: string, g: Grant | undefined): { user: string; groups: string[] } {
  return { user: `mooring:${username}`, groups: [...(g ? [grantGroup(g)] : []), 'system:authenticated'] };
}
