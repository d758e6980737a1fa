import { type AddonMember, isInsideWindow } from '@mooring/core';
import { CoreApi } from '@mooring/kube';
import { AddonDeployError, type AddonResult, valuesFor } from '../addon.ts';
import { type EngineContext, hashLabel, LABEL_CLUSTER, LABEL_HASH } from '../context.ts';
import {
  applicationFor,
  comparedWithSpec,
  repositoryFor,
  windowProjectFor,
  windowProjectName,
} from './application.ts';
import type { ArgoCdEngine } from './engine.ts';
import { argoAddonState } from './state.ts';
import type { Application } from './types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function argoOf(ctx: EngineContext, addon: string): ArgoCdEngine {
  if (!ctx.argocd)
    throw new AddonDeployError(
      addon,
      'settings.engine is argocd but this agent has no Argo CD connection (set MOORING_ARGOCD_URL and connect Argo CD)',
    );
  return ctx.argocd;
}

/** The Application of an add-on written for this cluster, if there is one. */
export async function mooringApplication(
  argo: ArgoCdEngine,
  cluster: string,
  name: string,
): Promise<Application | undefined> {
  const app = await argo.client.getApplication(name);
  return app && app.metadata.labels?.[LABEL_CLUSTER] === cluster ? app : undefined;
}

/**
 * Deploys one add-on through Argo CD: writes its Application (create or
 * update), starts a sync when the add-on is not `automated`, and waits until
 * the controller compared the new spec and reports Synced and Healthy (strict:
 * only Healthy). A Helm release the native engine made for the add-on is then
 * forgotten (its release storage deleted, its objects left to Argo CD).
 */
export async function deployArgoAddon(
  ctx: EngineContext,
  a: AddonMember,
  hash: string,
  opts: { force?: boolean } = {},
): Promise<AddonResult> {
  const argo = argoOf(ctx, a.name);
  const existing = await argo.client.getApplication(a.name);
  if (existing && existing.metadata.labels?.[LABEL_CLUSTER] !== ctx.cluster)
    throw new AddonDeployError(
      a.name,
      `an Argo CD Application named ${a.name} exists that Mooring did not write for this cluster: rename the add-on or remove that Application`,
    );
  const now = ctx.now?.() ?? Date.now();
  if (
    !opts.force &&
    existing &&
    existing.metadata.annotations?.[LABEL_HASH] === hashLabel(hash) &&
    argoAddonState({
      app: existing,
      hash,
      strict: a.settings.strictHealthCheck,
      selfHeal: a.settings.syncPolicy.selfHeal,
      now,
    }).state === 'Synced'
  ) {
    await forgetHelmRelease(ctx, a);
    return {
      action: 'unchanged',
      revision: lastHistoryId(existing),
      message: 'Application is current, Synced/Healthy',
    };
  }
  const values = await valuesFor(ctx, a);
  // OCI registries and registries with credentials are declared to Argo CD first
  const repository = repositoryFor(
    a,
    a.chart.registry.credentialName ? ctx.credentials?.(a.chart.registry.credentialName) : undefined,
  );
  if (repository)
    await argo.client.upsertRepository(repository).catch((e: Error) => {
      throw new AddonDeployError(a.name, `cannot declare its chart registry to Argo CD: ${e.message}`, e);
    });
  // a sync window lives in an AppProject of the add-on's own; Argo CD syncs only while it is open
  const project = windowProjectFor(ctx.cluster, a);
  if (project)
    await argo.client.upsertProject(project).catch((e: Error) => {
      throw new AddonDeployError(a.name, `cannot write the AppProject of its sync window: ${e.message}`, e);
    });
  const app = applicationFor({
    cluster: ctx.cluster,
    addon: a,
    hash,
    values,
    namespace: argo.namespace,
    project: project?.metadata.name ?? argo.project,
    deletion: argo.deletion,
  });
  let written: Application;
  try {
    written = await argo.client.upsertApplication(app);
  } catch (e) {
    throw new AddonDeployError(a.name, `cannot write its Argo CD Application: ${(e as Error).message}`, e);
  }
  if (!project) await dropWindowProject(argo, ctx.cluster, a.name);
  const w = a.settings.syncWindow;
  if (w?.enabled && !isInsideWindow(w as never, new Date(now)).inside) {
    await forgetHelmRelease(ctx, a);
    return {
      action: existing ? 'upgraded' : 'installed',
      revision: lastHistoryId(written),
      message: `outside_sync_window: Application written; Argo CD syncs it when its window (${w.schedule}, ${w.timezone}) opens`,
    };
  }
  if (!a.settings.syncPolicy.automated) {
    await argo.client.sync(a.name, { prune: a.settings.syncPolicy.autoPrune }).catch((e: Error) => {
      throw new AddonDeployError(a.name, `cannot start the Argo CD sync: ${e.message}`, e);
    });
  }
  const timeoutMs = a.jobConfiguration.updateJobTimeout.seconds * 1000;
  const deadline = Date.now() + timeoutMs;
  let last = written;
  let refreshed = false;
  let kicked = false;
  const writtenAt = Date.now();
  for (;;) {
    last = (await argo.client.getApplication(a.name)) ?? last;
    const st = argoAddonState({
      app: last,
      hash,
      strict: a.settings.strictHealthCheck,
      selfHeal: a.settings.syncPolicy.selfHeal,
      now: Date.now(),
    });
    if (comparedWithSpec(last)) {
      if (st.state === 'Synced') break;
      if (st.state === 'Degraded' && st.reason === 'operation_failed')
        throw new AddonDeployError(a.name, st.message);
      // compared, OutOfSync, and the automated sync has not started (Argo CD backs off after a
      // denied or repeated sync): the person applied now, so ask for the sync once
      const phase = last.status?.operationState?.phase;
      if (
        !kicked &&
        a.settings.syncPolicy.automated &&
        last.status?.sync?.status === 'OutOfSync' &&
        !last.operation &&
        phase !== 'Running' &&
        phase !== 'Terminating' &&
        Date.now() - writtenAt > 10_000
      ) {
        kicked = true;
        await argo.client.sync(a.name, { prune: a.settings.syncPolicy.autoPrune }).catch(() => undefined);
      }
    } else if (!refreshed && Date.now() > deadline - timeoutMs + 5000) {
      // the controller has not looked at the new spec yet: ask for a refresh once
      refreshed = true;
      await argo.client.refresh(a.name).catch(() => undefined);
    }
    if (Date.now() > deadline)
      throw new AddonDeployError(a.name, `Application not Synced/Healthy in time: ${st.message}`);
    await sleep(argo.pollMs ?? 500);
  }
  await forgetHelmRelease(ctx, a);
  return {
    action: existing ? 'upgraded' : 'installed',
    revision: lastHistoryId(last),
    message: `Argo CD Application Synced/Healthy (${last.status?.resources?.length ?? 0} resources)`,
  };
}

/** Deletes the window AppProject Mooring wrote for an add-on, once nothing uses it (the window was removed). */
export async function dropWindowProject(argo: ArgoCdEngine, cluster: string, addon: string): Promise<void> {
  const p = await argo.client.getProject(windowProjectName(addon)).catch(() => undefined);
  if (p?.metadata.labels?.[LABEL_CLUSTER] === cluster)
    await argo.client.deleteProject(p.metadata.name).catch(() => false);
}

function lastHistoryId(app: Application): number {
  return app.status?.history?.at(-1)?.id ?? 0;
}

/**
 * Forgets the Helm release the native engine made for an add-on now on Argo CD:
 * deletes its release storage (Secrets `owner=helm,name=<add-on>` labelled with
 * this cluster), never its objects, so nothing is uninstalled.
 */
export async function forgetHelmRelease(ctx: EngineContext, a: AddonMember): Promise<number> {
  const core = new CoreApi(ctx.kc);
  const list = await core.listNamespacedSecret({
    namespace: a.namespace,
    labelSelector: `owner=helm,name=${a.name},${LABEL_CLUSTER}=${ctx.cluster}`,
  });
  for (const s of list.items)
    await core
      .deleteNamespacedSecret({ name: s.metadata!.name!, namespace: a.namespace })
      .catch(() => undefined);
  return list.items.length;
}

/** Waits until the Application is gone (its finalizers done). */
export async function waitGone(argo: ArgoCdEngine, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await argo.client.getApplication(name))) return;
    await sleep(argo.pollMs ?? 500);
  }
  throw new Error(`Argo CD Application ${name} still exists after ${Math.round(timeoutMs / 1000)} s`);
}
