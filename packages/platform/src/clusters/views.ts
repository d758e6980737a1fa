import { z } from 'zod';
import type { ClusterRow } from '../db/types.ts';
import { clusterState } from './state.ts';

export const clusterSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    state: z.enum(['online', 'offline']).describe('offline after 30 s without an agent check-in'),
    agent_version: z.string().nullable(),
    kubernetes_version: z.string().nullable(),
    node_count: z.number().int().nullable(),
    region: z.string().nullable(),
    public_ip: z
      .string()
      .nullable()
      .describe('the public egress IP the agent reports when its public_ip.reporting_enabled is on'),
    last_check_in: z.string().nullable(),
    definition_path: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Cluster' });
export type ClusterView = z.infer<typeof clusterSchema>;

/** The columns a cluster's view is made of: what lists and reads select (not the stored definition's text). */
export const CLUSTER_VIEW_COLUMNS = [
  'id',
  'name',
  'description',
  'agent_version',
  'kubernetes_version',
  'node_count',
  'region',
  'public_ip',
  'last_check_in',
  'definition_path',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof ClusterRow)[];
export type ClusterViewRow = Pick<ClusterRow, (typeof CLUSTER_VIEW_COLUMNS)[number]>;

export function clusterView(c: ClusterViewRow, now: Date): ClusterView {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    state: clusterState(c.last_check_in, now),
    agent_version: c.agent_version,
    kubernetes_version: c.kubernetes_version,
    node_count: c.node_count,
    region: c.region,
    public_ip: c.public_ip ?? null,
    last_check_in: c.last_check_in ? c.last_check_in.toISOString() : null,
    definition_path: c.definition_path,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
  };
}
