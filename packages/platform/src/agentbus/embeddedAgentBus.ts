import { agentPermissions, InProcessBus, InProcessHub, platformPermissions } from '@mooring/bus';
import type { ClusterHooks, ClusterRef } from '../clusters/hooks.ts';
import type { AgentBus } from './types.ts';

/**
 * The embedded mode: one in-process hub; the platform and every agent in the same
 * process get their own view of it with the same permissions NATS credentials would
 * carry (`platformPermissions`, `agentPermissions(id)`). Replacing a cluster's token or
 * deleting it closes that cluster's agent connections.
 */
export class EmbeddedAgentBus implements AgentBus {
  readonly kind = 'in-process' as const;
  readonly hub = new InProcessHub();
  readonly bus = new InProcessBus({ hub: this.hub, permissions: platformPermissions() });
  readonly #agents = new Map<string, Set<InProcessBus>>();

  /** A connection for one cluster's agent: only its own subjects. */
  connectAgent(clusterId: string): InProcessBus {
    const bus = new InProcessBus({ hub: this.hub, permissions: agentPermissions(clusterId) });
    const set = this.#agents.get(clusterId) ?? new Set<InProcessBus>();
    this.#agents.set(clusterId, set);
    set.add(bus);
    return bus;
  }

  /** Closes every agent connection of the cluster. */
  async revoke(cluster: ClusterRef): Promise<void> {
    const set = this.#agents.get(cluster.id);
    this.#agents.delete(cluster.id);
    for (const b of set ?? []) await b.close().catch(() => undefined);
  }

  hooks(): ClusterHooks {
    return {
      agentTokenReplaced: (cluster) => this.revoke(cluster),
      deleted: (cluster) => this.revoke(cluster),
    };
  }

  async close(): Promise<void> {
    for (const set of this.#agents.values()) for (const b of set) await b.close().catch(() => undefined);
    this.#agents.clear();
    await this.bus.close();
  }
}
