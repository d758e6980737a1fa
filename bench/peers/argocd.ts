// Argo CD for the peers benchmark: the kit's real Argo CD (startArgoCd: server, repo-server,
// application-controller, redis as processes beside the cluster) and the Applications Mooring's argocd
// engine writes for the same add-ons (applicationFor, through the API with ArgoCdClient).
import { existsSync } from 'node:fs';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { ClusterDefinition } from '@mooring/core';
import { type Application, ArgoCdClient, applicationFor } from '@mooring/engine';
import { type ArgoCd, binaryPath, type KitInfo, startArgoCd, VERSIONS } from '@mooring/testkit';
import { pool } from '../lib.ts';

export const ARGOCD_NAMESPACE = 'argocd-bench';
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';

export const ARGOCD_VERSION = VERSIONS.argocd;

/** True when the binary cache holds Argo CD (built by the kit's prepare step). */
export const argocdBuilt = () => existsSync(binaryPath('argocd'));

export interface ArgoPeer {
  argo: ArgoCd;
  client: ArgoCdClient;
  /** PID → process name, for CPU accounting. */
  procs: Map<number, string>;
}

export async function startArgoPeer(kit: KitInfo): Promise<ArgoPeer> {
  const argo = await startArgoCd(kit, { namespace: ARGOCD_NAMESPACE });
  const client = new ArgoCdClient({ url: argo.url, token: argo.adminToken, timeoutMs: 120_000 });
  const procs = new Map<number, string>();
  for (const p of argo.processes) if (p.pid) procs.set(p.pid, p.name);
  return { argo, client, procs };
}

/** The Applications Mooring's argocd engine writes for the definition's add-ons (foreground deletion). */
export function applicationsOf(def: ClusterDefinition): Application[] {
  return def.stacks
    .flatMap((s) => s.addons)
    .map((a) =>
      applicationFor({
        cluster: def.name,
        addon: a,
        hash: 'bench',
        values: a.values.text,
        namespace: ARGOCD_NAMESPACE,
        deletion: 'foreground',
      }),
    );
}

/** Writes the Applications through the API, `concurrency` requests at a time. */
export async function writeApplications(p: ArgoPeer, apps: Application[], concurrency = 8): Promise<void> {
  await pool(apps, concurrency, (a) => p.client.upsertApplication(a));
}

interface AppObject {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: {
    reconciledAt?: string;
    sync?: { status?: string };
    health?: { status?: string };
  };
}

/** The Applications in the benchmark's namespace, read from the API server (not through argocd-server). */
export async function listApps(custom: CustomObjectsApi): Promise<AppObject[]> {
  const r = (await custom.listNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespace: ARGOCD_NAMESPACE,
    plural: 'applications',
  })) as { items: AppObject[] };
  return r.items;
}

export const syncedHealthy = (a: AppObject) =>
  a.status?.sync?.status === 'Synced' && a.status?.health?.status === 'Healthy';

/** reconciledAt of every Application now (to tell a refresh handled from one pending). */
export async function reconciledAt(custom: CustomObjectsApi): Promise<Map<string, string>> {
  return new Map((await listApps(custom)).map((a) => [a.metadata.name, a.status?.reconciledAt ?? '']));
}

/** Refreshed since `before`: the refresh annotation gone, reconciled again, Synced and Healthy. */
export const refreshed = (a: AppObject, before: Map<string, string>) =>
  !a.metadata.annotations?.[REFRESH_ANNOTATION] &&
  (a.status?.reconciledAt ?? '') !== (before.get(a.metadata.name) ?? '') &&
  syncedHealthy(a);

/** Stops Argo CD, its Applications left as they are (the benchmark's cluster goes away with the kit). */
export async function stopArgoPeer(p: ArgoPeer): Promise<void> {
  await p.argo.stop();
}
