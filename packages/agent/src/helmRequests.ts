import type { EngineContext } from '@mooring/engine';
import type { StoredRelease } from '@mooring/kube';
import { z } from 'zod';

/** The platform's requests about any Helm release of the cluster (read from Helm's storage, no helm process). */
export const HELM_REQUESTS = ['helm.releases', 'helm.values', 'helm.manifest'] as const;

const NAMESPACE = z.string().min(1).max(63);
export const helmReleasesRequestSchema = z.strictObject({ namespace: NAMESPACE.optional() });
export const helmReleaseRequestSchema = z.strictObject({
  name: z.string().min(1).max(253),
  namespace: NAMESPACE,
  /** A stored revision; the newest when unset. */
  revision: z.number().int().min(1).optional(),
});

/** A release in a list (pure). */
export function releaseSummary(r: StoredRelease) {
  return {
    name: r.name,
    namespace: r.namespace,
    revision: r.version,
    status: r.status,
    chart: r.chart.name,
    chart_version: r.chart.version,
    ...(r.chart.appVersion ? { app_version: r.chart.appVersion } : {}),
    ...(r.lastDeployed ? { updated: r.lastDeployed } : {}),
    ...(r.description ? { description: r.description } : {}),
  };
}

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
}

/**
 * `helm.releases` (the newest revision of every release, in one namespace or all),
 * `helm.values` (the user-supplied values of a revision) and `helm.manifest` (its rendered
 * manifest and hooks). Values are sent as stored: the platform masks them before anyone
 * sees them. A release or revision that does not exist is answered `{ error }`.
 */
export function helmRequestHandlers(
  engine: EngineContext,
): Record<string, (data: unknown) => Promise<object>> {
  const revisionOf = async (data: unknown): Promise<StoredRelease> => {
    const p = helmReleaseRequestSchema.safeParse(data);
    if (!p.success) throw new Error(`invalid request: ${issues(p.error)}`);
    const { name, namespace, revision } = p.data;
    const h = await engine.releases.history(name, namespace);
    const r = revision === undefined ? h[h.length - 1] : h.find((x) => x.version === revision);
    if (!r)
      throw new Error(
        revision === undefined
          ? `release ${namespace}/${name} not found`
          : `release ${namespace}/${name} has no revision ${revision}`,
      );
    return r;
  };
  return {
    'helm.releases': async (data) => {
      const p = helmReleasesRequestSchema.safeParse(data ?? {});
      if (!p.success) throw new Error(`invalid request: ${issues(p.error)}`);
      const all = await engine.releases.latestAll(p.data.namespace);
      return {
        releases: all
          .map(releaseSummary)
          .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
      };
    },
    'helm.values': async (data) => {
      const r = await revisionOf(data);
      return { ...releaseSummary(r), values: r.config };
    },
    'helm.manifest': async (data) => {
      const r = await revisionOf(data);
      return {
        ...releaseSummary(r),
        manifest: r.manifest,
        hooks: r.hooks.map((h) => ({ name: h.name, kind: h.kind, events: h.events, manifest: h.manifest })),
      };
    },
  };
}
