import type { EngineContext } from '../context.ts';
import type { AddonReport, SweepTarget } from '../sweep/types.ts';
import { argoAddonState } from './state.ts';

/**
 * One add-on on the argocd engine in a sweep: its Application's sync and
 * health read through the Argo CD API become the add-on's state. Argo CD heals
 * and prunes by itself (self_heal, auto_prune are in the Application); an
 * Application whose sync runs for longer than ten minutes is recovered: the
 * operation is terminated and a refresh asked for, and the report says so.
 */
export async function checkArgoAddon(ctx: EngineContext, t: SweepTarget): Promise<AddonReport> {
  const a = t.addon;
  const report: AddonReport = {
    name: a.name,
    namespace: a.namespace,
    stack: a.stack,
    drift: [],
    health: 'Unknown',
    healthMessage: '',
    actions: [],
    pruned: [],
    state: 'Unknown',
    reason: 'release_unknown',
    message: '',
  };
  if (!ctx.argocd) {
    report.message = 'settings.engine is argocd but this agent has no Argo CD connection';
    return report;
  }
  const now = ctx.now?.() ?? Date.now();
  let app = await ctx.argocd.client.getApplication(a.name);
  const input = () => ({
    app,
    hash: t.hash,
    strict: a.settings.strictHealthCheck,
    selfHeal: a.settings.syncPolicy.selfHeal,
    now,
  });
  let st = argoAddonState(input());
  if (st.stuck) {
    try {
      await ctx.argocd.client.terminateOperation(a.name);
      app = await ctx.argocd.client.refresh(a.name, 'hard');
      report.actions.push('recovered');
      st = argoAddonState(input());
      st.message = `a sync stuck for more than 10 minutes was terminated and a refresh asked for; ${st.message}`;
    } catch (e) {
      report.actions.push('recover_failed');
      st.message = `${st.message}; recovery failed: ${(e as Error).message}`;
    }
  }
  // an Application whose state Argo CD does not know (sync Unknown: a comparison that failed or
  // never ran) is refreshed hard, its cache and manifests thrown away; the report says so
  if (
    app &&
    !st.stuck &&
    app.status?.sync?.status !== 'Synced' &&
    (st.state === 'Unknown' || (app.status?.sync?.status ?? 'Unknown') === 'Unknown')
  ) {
    try {
      app = await ctx.argocd.client.refresh(a.name, 'hard');
      report.actions.push('recovered');
      st = argoAddonState(input());
      st.message = `the Application was Unknown: a hard refresh was asked for; ${st.message}`;
    } catch (e) {
      report.actions.push('recover_failed');
      st.message = `${st.message}; hard refresh failed: ${(e as Error).message}`;
    }
  }
  const h = app?.status?.health?.status;
  report.health = (
    h === 'Healthy' || h === 'Progressing' || h === 'Degraded' || h === 'Suspended' || h === 'Missing'
      ? h
      : 'Unknown'
  ) as AddonReport['health'];
  report.healthMessage = app?.status?.health?.message ?? '';
  report.releaseStatus = app ? `argocd:${app.status?.sync?.status ?? 'Unknown'}` : undefined;
  report.revision = app?.status?.history?.at(-1)?.id;
  report.behindGit = app ? st.behindGit : undefined;
  report.state = st.state;
  report.reason = st.reason;
  report.message = st.message;
  if (!app) report.actions.push('missing_release');
  for (const r of app?.status?.resources ?? []) {
    if (r.status === 'OutOfSync')
      report.drift.push({
        ref: `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`,
        missing: r.health?.status === 'Missing',
        text: '',
        patch: [],
      });
  }
  return report;
}
