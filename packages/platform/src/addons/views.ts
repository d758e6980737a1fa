import { z } from 'zod';

export const ADDON_SORT_FIELDS = ['name', 'namespace', 'stack', 'state', 'chart', 'last_updated'] as const;
export type AddonSortField = (typeof ADDON_SORT_FIELDS)[number];

export const driftSchema = z
  .object({
    ref: z.string().describe('Kind/namespace/name'),
    missing: z.boolean().describe('the object is not in the cluster'),
    fields: z.array(z.string()).describe('the fields that differ from Git, e.g. spec.replicas'),
    text: z.string().optional().describe('the diff, cut short; never for Secrets'),
  })
  .meta({ id: 'DriftedObject' });

export const addonSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['addon', 'manifest']),
    chart: z.string().nullable(),
    version: z.string().nullable(),
    namespace: z.string().nullable(),
    stack: z.string(),
    state: z.string().describe('Pending, Deploying, Synced, Degraded, OutOfSync, Unknown'),
    health: z.string().describe('Healthy, Progressing, Degraded, Suspended, Missing, Unknown'),
    engine: z.string(),
    revision: z.number().int().nullable().describe('the Helm release revision last deployed'),
    drifted_objects: z.number().int().nullable().describe('objects that differ from Git at the last look'),
    drift: z.array(driftSchema).describe('the drifted objects and their fields (at most 20)'),
    message: z.string(),
    last_updated: z.string().nullable().describe('when its state or revision last changed'),
    last_inspected: z.string().nullable().describe('when a sweep last looked at it'),
    in_definition: z.boolean().describe('false: reported by the agent, no longer in the definition'),
  })
  .meta({ id: 'Addon' });
export type AddonView = z.infer<typeof addonSchema>;

const historyEntry = z.object({
  revision: z.number().int(),
  status: z.string(),
  chart: z.string(),
  chart_version: z.string(),
  app_version: z.string().optional(),
  updated: z.string().optional(),
  description: z.string().optional(),
});
const eventEntry = z.object({
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  object: z.string(),
  count: z.number(),
  last_seen: z.string(),
});
export interface TreeNodeView {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  health: string;
  message?: string;
  children: TreeNodeView[];
}
const treeNode: z.ZodType<TreeNodeView> = z.lazy(() =>
  z.object({
    apiVersion: z.string(),
    kind: z.string(),
    name: z.string(),
    namespace: z.string().optional(),
    health: z.string(),
    message: z.string().optional(),
    children: z.array(treeNode),
  }),
);

export const historyReplySchema = z.object({ revisions: z.array(historyEntry) });
export const eventsReplySchema = z.object({ events: z.array(eventEntry) });
export const treeReplySchema = z.object({ tree: z.array(treeNode) });

export const addonDetailSchema = addonSchema
  .extend({
    registry: z.string().nullable(),
    values: z.unknown().describe('the definition’s values; encrypted paths and SOPS values as ***'),
    encrypted_paths: z.array(z.string()),
    history: z
      .array(historyEntry)
      .nullable()
      .describe('Helm history, newest first; null when the agent did not answer'),
    events: z.array(eventEntry).nullable(),
    tree: z
      .array(treeNode)
      .nullable()
      .describe('the release’s objects with what they own (Deployment → ReplicaSet → Pod)'),
    live_errors: z.array(z.string()).describe('why history, events or tree are missing'),
  })
  .meta({ id: 'AddonDetail' });
export type AddonDetail = z.infer<typeof addonDetailSchema>;

export const acceptDriftReplySchema = z
  .object({
    changes: z.array(
      z.object({
        object: z.string(),
        field: z.string(),
        git: z.unknown(),
        cluster: z.unknown(),
        managers: z.array(z.string()).describe('the field managers owning the field in the cluster'),
        values_path: z
          .string()
          .nullable()
          .describe('the values key holding the Git value; null: none maps to it'),
      }),
    ),
    values: z
      .record(z.string(), z.unknown())
      .describe('the add-on’s values with the cluster’s values put in'),
    patch: z.string().describe('the values before → after, as a patch to commit'),
    file: z.string().nullable(),
  })
  .meta({ id: 'AcceptDrift' });
export type AcceptDriftView = z.infer<typeof acceptDriftReplySchema>;

export const acceptManifestDriftReplySchema = z
  .object({
    changes: z.array(
      z.object({
        object: z.string(),
        field: z.string().describe('the drifted field; empty when the whole object is gone from the cluster'),
        git: z.unknown(),
        cluster: z.unknown(),
        managers: z.array(z.string()).describe('the field managers owning the field in the cluster'),
        in_patch: z
          .boolean()
          .describe('false: left out of the patch (a Secret’s data, an encrypted path, a deleted object)'),
      }),
    ),
    file: z
      .string()
      .nullable()
      .describe('the manifest’s file (`from_file`), or the cluster file for inline content'),
    patch: z.string().describe('the file before → after as a unified diff, to commit'),
    notes: z.array(z.string()).describe('what the patch leaves out, and why'),
  })
  .meta({ id: 'AcceptManifestDrift' });
export type AcceptManifestDriftView = z.infer<typeof acceptManifestDriftReplySchema>;
