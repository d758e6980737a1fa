import type { Migration } from 'kysely/migration';
import * as people from './0001_people.ts';
import * as clusters from './0002_clusters.ts';
import * as operations from './0003_operations.ts';
import * as heartbeats from './0004_heartbeats.ts';
import * as agentBusUsers from './0005_agent_bus_users.ts';
import * as addons from './0006_addons.ts';
import * as gitops from './0010_gitops.ts';
import * as addonDrift from './0011_addon_drift.ts';
import * as clusterGrants from './0012_cluster_grants.ts';
import * as retentionAndSyncLeases from './0013_retention_and_sync_leases.ts';
import * as clusterPublicIp from './0030_cluster_public_ip.ts';
import * as clusterArgocd from './0040_cluster_argocd.ts';
import * as catalogue from './0050_catalogue.ts';
import * as stackDrafts from './0060_stack_drafts.ts';
import * as engines from './0070_engines.ts';
import * as draftPublishing from './0075_draft_publishing.ts';
import * as clusterDefinitions from './0080_cluster_definitions.ts';
import * as sweepSchedule from './0085_sweep_schedule.ts';

/** Every migration by name, in order. A new one is a new file `NNNN_name.ts` added here. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_people': people,
  '0002_clusters': clusters,
  '0003_operations': operations,
  '0004_heartbeats': heartbeats,
  '0005_agent_bus_users': agentBusUsers,
  '0006_addons': addons,
  '0010_gitops': gitops,
  '0011_addon_drift': addonDrift,
  '0012_cluster_grants': clusterGrants,
  '0013_retention_and_sync_leases': retentionAndSyncLeases,
  '0030_cluster_public_ip': clusterPublicIp,
  '0040_cluster_argocd': clusterArgocd,
  '0050_catalogue': catalogue,
  '0060_stack_drafts': stackDrafts,
  '0070_engines': engines,
  '0075_draft_publishing': draftPublishing,
  '0080_cluster_definitions': clusterDefinitions,
  '0085_sweep_schedule': sweepSchedule,
};
