import type { ClusterHooks } from '../clusters/hooks.ts';

/** Calls each set of hooks in turn (the first given first); `issueBusCredentials` comes from the first that has it. */
export function composeHooks(...all: (ClusterHooks | undefined)[]): ClusterHooks {
  const hooks = all.filter((h): h is ClusterHooks => h !== undefined);
  const each =
    (name: 'imported' | 'deleted' | 'agentTokenReplaced') =>
    async (c: Parameters<NonNullable<ClusterHooks['imported']>>[0]) => {
      for (const h of hooks) await h[name]?.(c);
    };
  const issuer = hooks.find((h) => h.issueBusCredentials);
  return {
    imported: each('imported'),
    deleted: each('deleted'),
    agentTokenReplaced: each('agentTokenReplaced'),
    ...(issuer?.issueBusCredentials ? { issueBusCredentials: issuer.issueBusCredentials.bind(issuer) } : {}),
  };
}
