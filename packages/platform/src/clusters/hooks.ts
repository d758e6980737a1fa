/** A cluster as the hooks see it. */
export interface ClusterRef {
  id: string;
  organizationId: string;
  name: string;
}

/** What an agent reports on each check-in. */
export interface CheckInReport {
  agent_version: string;
  kubernetes_version: string;
  node_count: number;
  region?: string | null | undefined;
  /** The public egress IP (only when the agent's public IP reporting is on). */
  public_ip?: string | undefined;
  /** False: the agent's bus credentials are fresh, none are issued. */
  bus_credentials?: boolean | undefined;
  /** False: the agent has no Argo CD connection (it restarted): the stored one is answered. */
  argocd_connected?: boolean | undefined;
}

/** A cluster's stored Argo CD connection as the agent takes it; `token` is secret. */
export interface ArgocdHandoff {
  url: string;
  namespace: string;
  deletion: string;
  token: string;
}

/**
 * What other parts of the platform attach to a cluster's life. Every hook is
 * optional; a failing hook fails the request that triggered it (nothing is
 * half done: the change is stored only after the hook succeeds where noted).
 */
export interface ClusterHooks {
  /** After an import is stored (operations and the scheduler start tracking the cluster). */
  imported?(cluster: ClusterRef): Promise<void>;
  /** After a cluster is deleted (stop its schedules, revoke its bus credentials). */
  deleted?(cluster: ClusterRef): Promise<void>;
  /** After an agent token is replaced (revoke bus credentials issued for the old one). */
  agentTokenReplaced?(cluster: ClusterRef): Promise<void>;
  /**
   * On each check-in, after it is stored: bus credentials for this cluster's
   * subjects only (see `busauth/`). Returned to the agent as `bus`; never logged.
   */
  issueBusCredentials?(
    cluster: ClusterRef,
    report: CheckInReport,
  ): Promise<Record<string, unknown> | undefined>;
  /** At a check-in of an agent without an Argo CD connection: the stored one, if any. Never logged. */
  argocdConnection?(cluster: ClusterRef): Promise<ArgocdHandoff | undefined>;
}

/**
 * Several parts' hooks as one: each event calls every part in order; the first bus
 * credentials given win.
 */
export function composeClusterHooks(...parts: (ClusterHooks | undefined)[]): ClusterHooks {
  const all = parts.filter((h): h is ClusterHooks => h !== undefined);
  const each =
    (event: 'imported' | 'deleted' | 'agentTokenReplaced') =>
    async (cluster: ClusterRef): Promise<void> => {
      for (const h of all) await h[event]?.(cluster);
    };
  return {
    imported: each('imported'),
    deleted: each('deleted'),
    agentTokenReplaced: each('agentTokenReplaced'),
    issueBusCredentials: async (cluster, report) => {
      for (const h of all) {
        const bus = await h.issueBusCredentials?.(cluster, report);
        if (bus) return bus;
      }
      return undefined;
    },
    argocdConnection: async (cluster) => {
      for (const h of all) {
        const c = await h.argocdConnection?.(cluster);
        if (c) return c;
      }
      return undefined;
    },
  };
}
