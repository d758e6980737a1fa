import { z } from 'zod';

export const helmReleaseSchema = z
  .object({
    name: z.string(),
    namespace: z.string(),
    revision: z.number().int(),
    status: z
      .string()
      .describe(
        'deployed, failed, pending-install, pending-upgrade, pending-rollback, superseded, uninstalling',
      ),
    chart: z.string(),
    chart_version: z.string(),
    app_version: z.string().optional(),
    updated: z.string().optional(),
    description: z.string().optional(),
  })
  .meta({ id: 'HelmRelease' });
export type HelmReleaseView = z.infer<typeof helmReleaseSchema>;

export const helmReleasesReplySchema = z.object({ releases: z.array(helmReleaseSchema) });

export const helmHistorySchema = z
  .object({
    revisions: z.array(
      z.object({
        revision: z.number().int(),
        status: z.string(),
        chart: z.string(),
        chart_version: z.string(),
        app_version: z.string().optional(),
        updated: z.string().optional(),
        description: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'HelmHistory' });

export const helmValuesReplySchema = helmReleaseSchema.extend({ values: z.record(z.string(), z.unknown()) });

export const helmValuesSchema = helmReleaseSchema
  .extend({
    values: z.record(z.string(), z.unknown()).describe('the user-supplied values of the revision, masked'),
    encrypted_paths: z
      .array(z.string())
      .describe('paths masked because the add-on of this release declares them SOPS-encrypted'),
    addon: z.string().nullable().describe('the add-on of the cluster’s definition this release deploys'),
  })
  .meta({ id: 'HelmValues' });
export type HelmValuesView = z.infer<typeof helmValuesSchema>;

const hookSchema = z.object({
  name: z.string(),
  kind: z.string(),
  events: z.array(z.string()),
  manifest: z.string(),
});
export const helmManifestReplySchema = helmReleaseSchema.extend({
  manifest: z.string(),
  hooks: z.array(hookSchema),
});
export const helmManifestSchema = helmManifestReplySchema
  .extend({
    manifest: z.string().describe('the rendered manifest; the data of every Secret is masked'),
  })
  .meta({ id: 'HelmManifest' });
export type HelmManifestView = z.infer<typeof helmManifestSchema>;
