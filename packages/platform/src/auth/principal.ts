import type { Role, Scope } from './roles.ts';

/** Who a request acts for, once the guard has checked its bearer token. */
export type Principal = UserPrincipal | AgentPrincipal;

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  organizationId: string;
  username: string;
  /** The role the request acts with (the user's role capped by the token's scopes). */
  role: Role;
  /** The user's own role. */
  userRole: Role;
  tokenId: string;
  tokenKind: 'session' | 'api';
  scopes: Scope[];
}

/**
 * A request bearing an agent token. Which cluster it speaks for is settled by the statement that
 * records its check-in (the token's hash must still be the cluster's, the cluster not deleted):
 * no lookup before it, and a replaced token stops working at once.
 */
export interface AgentPrincipal {
  kind: 'agent';
  /** sha256 of the bearer secret, as stored in `clusters.agent_token_hash`. */
  tokenHash: string;
}

/**
 * Who may call a route, declared on every route under `/api/v1` (the guard
 * refuses to start without it): anyone, a user with at least `role`, or an agent.
 */
export type RouteAccess = { public: true } | { role: Role } | { agent: true };

/** Checks bearer secrets; the auth and clusters services implement it. */
export interface Authenticator {
  /** A session or API token; undefined when unknown, expired or revoked. */
  user(secret: string): Promise<UserPrincipal | undefined>;
  /** An agent token (by its form: the route's statement checks it is a cluster's); undefined when it is not one. */
  agent(secret: string): Promise<AgentPrincipal | undefined>;
}
