import type { ClusterDefinition } from '@mooring/core';
import { type EngineContext, LABEL_CLUSTER, LABEL_MEMBER, LABEL_STACK } from '../context.ts';
import type { EventSink } from '../events.ts';
import type { Removal } from '../remove.ts';
import { windowProjectName } from './application.ts';
import type { DeletionMode } from './client.ts';
import { dropWindowProject, waitGone } from './deploy.ts';
import type { ArgoCdEngine } from './engine.ts';
import { STUCK_AFTER_MS } from './state.ts';

/**
 * Waits for a deleted Application to go. One whose deletion is pending for
 * longer than `stuckAfterMs` (a finalizer nobody finishes, e.g. its destination
 * cluster is gone) has its finalizers removed, and the removal says so.
 */
async function goneOrUnstuck(argo: ArgoCdEngine, name: string, removal: Removal): Promise<void> {
  try {
    await waitGone(argo, name, argo.deletionWaitMs ?? 120_000);
    return;
  } catch (e) {
    const app = await argo.client.getApplication(name);
    const since = app?.metadata.deletionTimestamp ? Date.parse(app.metadata.deletionTimestamp) : undefined;
    if (!app || since === undefined || Date.now() - since < (argo.stuckAfterMs ?? STUCK_AFTER_MS)) throw e;
    const finalizers = app.metadata.finalizers ?? [];
    await argo.client.patchApplication(name, { metadata: { finalizers: null } });
    await waitGone(argo, name, 30_000);
    removal.detail += `; its deletion was stuck for ${Math.round((Date.now() - since) / 1000)} s: finalizers ${finalizers.join(', ')} removed (what they still held is left in place)`;
  }
}

/**
 * Deletes the Applications Mooring wrote for this cluster whose add-on left the
 * definition, in the chosen mode: `foreground` (resources deleted first, the
 * Application last), `background` (the Application at once, resources after),
 * `non-cascading` (the finalizer removed: resources stay). An add-on that moved
 * to the native engine is not here: its deploy released the Application.
 */
export async function removeArgoLeftovers(
  ctx: EngineContext,
  def: ClusterDefinition,
  emit: EventSink,
  mode?: DeletionMode,
): Promise<Removal[]> {
  const argo = ctx.argocd;
  if (!argo) return [];
  const wanted = new Set(def.stacks.flatMap((s) => s.addons.map((a) => a.name)));
  const out: Removal[] = [];
  const how = mode ?? argo.deletion;
  for (const app of await argo.client.listApplications(`${LABEL_CLUSTER}=${ctx.cluster}`)) {
    const name = app.metadata.labels?.[LABEL_MEMBER] ?? app.metadata.name;
    if (wanted.has(name)) continue;
    const stack = app.metadata.labels?.[LABEL_STACK];
    const removal: Removal = {
      kind: 'addon',
      name,
      namespace: app.spec.destination.namespace,
      stack,
      detail: `Argo CD Application ${app.metadata.name} deleted (${how}${how === 'non-cascading' ? ': its resources are left in place' : ''})`,
    };
    try {
      await argo.client.deleteApplication(app.metadata.name, how);
      // foreground: the Application goes after its resources; wait so the removal is done when reported
      if (how !== 'background') await goneOrUnstuck(argo, app.metadata.name, removal);
      if (app.spec.project === windowProjectName(name)) await dropWindowProject(argo, ctx.cluster, name);
    } catch (e) {
      removal.error = (e as Error).message;
    }
    out.push(removal);
    emit({
      type: 'member',
      key: `addon/${name}`,
      stack: stack ?? '',
      kind: 'addon',
      name,
      phase: 'removed',
      message: removal.error ?? removal.detail,
    });
  }
  return out;
}
