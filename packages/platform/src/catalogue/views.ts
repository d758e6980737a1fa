import { z } from 'zod';
import { jobRunning } from './decide.ts';
import type { JobVersionResult } from './indexer.ts';
import type { ChartRow, JobRow, RegistryRow, VersionRow } from './tables.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const registrySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    kind: z.enum(['helm', 'oci']),
    credential_name: z.string().nullable(),
    excluded_charts: z.array(z.string()),
    charts: z
      .array(z.string())
      .describe('OCI: the charts indexed when the registry does not list its repositories'),
    interval_seconds: z.number().int().nullable().describe('null: indexed only on request'),
    default: z.boolean().describe('one of the curated public registries'),
    indexing: z.boolean(),
    last_indexed_at: z.string().nullable(),
    last_success_at: z.string().nullable(),
    last_error: z.string().nullable(),
    next_index_at: z.string().nullable(),
    chart_count: z.number().int(),
    version_count: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'ChartRegistry' });
export type RegistryView = z.infer<typeof registrySchema>;

export function registryView(
  r: RegistryRow,
  counts: { charts: number; versions: number },
  now: Date,
): RegistryView {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    kind: r.kind as RegistryView['kind'],
    credential_name: r.credential_name,
    excluded_charts: JSON.parse(r.excluded_charts) as string[],
    charts: JSON.parse(r.charts) as string[],
    interval_seconds: r.interval_seconds,
    default: r.is_default,
    indexing: jobRunning(r.indexing_since, now),
    last_indexed_at: iso(r.last_indexed_at),
    last_success_at: iso(r.last_success_at),
    last_error: r.last_error,
    next_index_at: iso(r.next_index_at),
    chart_count: counts.charts,
    version_count: counts.versions,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

export const jobSchema = z
  .object({
    id: z.string(),
    registry_id: z.string(),
    trigger: z.enum(['schedule', 'manual', 'created']),
    state: z.enum(['running', 'success', 'unchanged', 'partial', 'failed']),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    error: z.string().nullable(),
    charts: z.number().int(),
    versions_indexed: z.number().int(),
    versions_failed: z.number().int(),
    versions_removed: z.number().int(),
    versions_unchanged: z.number().int(),
    downloads: z.number().int(),
    versions: z.array(
      z.object({
        chart: z.string(),
        version: z.string().describe('`*`: the chart could not be listed'),
        result: z.enum(['indexed', 'failed']),
        error: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'CatalogueJob' });
export type JobView = z.infer<typeof jobSchema>;

export function jobView(j: JobRow): JobView {
  return {
    id: j.id,
    registry_id: j.registry_id,
    trigger: j.trigger as JobView['trigger'],
    state: j.state as JobView['state'],
    started_at: j.started_at.toISOString(),
    finished_at: iso(j.finished_at),
    error: j.error,
    charts: j.charts,
    versions_indexed: j.versions_indexed,
    versions_failed: j.versions_failed,
    versions_removed: j.versions_removed,
    versions_unchanged: j.versions_unchanged,
    downloads: j.downloads,
    versions: JSON.parse(j.versions) as JobVersionResult[],
  };
}

export const chartSchema = z
  .object({
    registry: z.string(),
    registry_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    icon: z.string().nullable(),
    home: z.string().nullable(),
    latest_version: z.string().nullable(),
    app_version: z.string().nullable(),
    deprecated: z.boolean(),
    version_count: z.number().int(),
  })
  .meta({ id: 'CatalogueChart' });
export type ChartView = z.infer<typeof chartSchema>;

export function chartView(c: ChartRow & { registry: string }): ChartView {
  return {
    registry: c.registry,
    registry_id: c.registry_id,
    name: c.name,
    description: c.description,
    icon: c.icon,
    home: c.home,
    latest_version: c.latest_version,
    app_version: c.app_version,
    deprecated: c.deprecated,
    version_count: c.version_count,
  };
}

export const versionSchema = z
  .object({
    registry: z.string(),
    chart: z.string(),
    version: z.string(),
    app_version: z.string().nullable(),
    description: z.string().nullable(),
    deprecated: z.boolean(),
    digest: z.string().nullable().describe('the archive’s sha256'),
    created: z.string().nullable(),
    state: z.enum(['pending', 'indexed', 'failed']),
    error: z.string().nullable(),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    indexed_at: z.string().nullable(),
    has_values: z.boolean(),
    has_schema: z.boolean(),
    has_readme: z.boolean(),
  })
  .meta({ id: 'CatalogueVersion' });
export type VersionView = z.infer<typeof versionSchema>;

export const versionDetailSchema = versionSchema
  .extend({
    values: z.string().nullable().describe('the chart’s values.yaml as written (comments kept)'),
    values_schema: z.unknown().nullable().describe('values.schema.json, parsed'),
    values_schema_error: z.string().nullable().describe('why values.schema.json did not parse'),
    readme: z.string().nullable(),
  })
  .meta({ id: 'CatalogueVersionDetail' });
export type VersionDetailView = z.infer<typeof versionDetailSchema>;

export function versionView(registry: string, v: VersionRow): VersionView {
  return {
    registry,
    chart: v.chart,
    version: v.version,
    app_version: v.app_version,
    description: v.description,
    deprecated: v.deprecated,
    digest: v.digest,
    created: v.created,
    state: v.state as VersionView['state'],
    error: v.error,
    attempts: v.attempts,
    next_attempt_at: iso(v.next_attempt_at),
    indexed_at: iso(v.indexed_at),
    has_values: v.values_yaml !== null,
    has_schema: v.values_schema !== null,
    has_readme: v.readme !== null,
  };
}

export function versionDetailView(registry: string, v: VersionRow): VersionDetailView {
  let schema: unknown = null;
  let schemaError: string | null = null;
  if (v.values_schema !== null) {
    try {
      schema = JSON.parse(v.values_schema);
    } catch (e) {
      schemaError = (e as Error).message;
    }
  }
  return {
    ...versionView(registry, v),
    values: v.values_yaml,
    values_schema: schema,
    values_schema_error: schemaError,
    readme: v.readme,
  };
}

export const templateSchema = z
  .object({
    registry: z.string(),
    chart: z.string(),
    version: z.string(),
    release_name: z.string(),
    namespace: z.string(),
    manifest: z.string().describe('the rendered objects (multi-document YAML)'),
  })
  .meta({ id: 'CatalogueTemplate' });
export type TemplateView = z.infer<typeof templateSchema>;
