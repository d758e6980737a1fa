import type { AddonStateResult } from '@mooring/core';
import { hashLabel, LABEL_HASH } from '../context.ts';
import type { Application } from './types.ts';

/** An operation that started more than this long ago and still runs is stuck (default 10 minutes). */
export const STUCK_AFTER_MS = 10 * 60_000;

export interface ArgoStateInput {
  /** The Application as the API answered, or undefined when there is none. */
  app: Application | undefined;
  /** The content hash the definition wants. */
  hash: string;
  /** `strict_health_check`: only Healthy is healthy (Progressing keeps it Deploying). */
  strict: boolean;
  selfHeal: boolean;
  now: number;
}

export interface ArgoStateResult extends AddonStateResult {
  /** The Application holds other content than the definition. */
  behindGit: boolean;
  /** Its sync operation runs for longer than STUCK_AFTER_MS. */
  stuck: boolean;
}

/**
 * An add-on's state from its Application's sync and health (pure). Strict
 * health: only Healthy counts; Progressing or Suspended keep it Deploying.
 */
export function argoAddonState(i: ArgoStateInput): ArgoStateResult {
  const app = i.app;
  if (!app)
    return {
      state: 'Pending',
      reason: 'not_deployed',
      message: 'no Argo CD Application',
      behindGit: true,
      stuck: false,
    };
  const behindGit = app.metadata.annotations?.[LABEL_HASH] !== hashLabel(i.hash);
  const st = app.status ?? {};
  const sync = st.sync?.status ?? 'Unknown';
  const health = st.health?.status ?? 'Unknown';
  const op = st.operationState;
  const healthMsg = st.health?.message ? `: ${st.health.message}` : '';
  const base = { behindGit, stuck: false };
  const running = op?.phase === 'Running' || op?.phase === 'Terminating';
  if (running) {
    const started = op?.startedAt ? Date.parse(op.startedAt) : i.now;
    const stuck = i.now - started > STUCK_AFTER_MS;
    return {
      ...base,
      stuck,
      state: 'Deploying',
      reason: 'operation_in_progress',
      message: `Argo CD sync ${op?.phase?.toLowerCase()}${stuck ? ` for ${Math.round((i.now - started) / 60_000)} min (stuck)` : ''}${op?.message ? `: ${op.message}` : ''}`,
    };
  }
  if (app.metadata.deletionTimestamp)
    return {
      ...base,
      state: 'Deploying',
      reason: 'release_uninstalling',
      message: 'Application being deleted',
    };
  const errors = (st.conditions ?? []).filter((c) => /Error$/.test(c.type));
  if ((op?.phase === 'Failed' || op?.phase === 'Error') && sync !== 'Synced')
    return {
      ...base,
      state: 'Degraded',
      reason: 'operation_failed',
      message: `Argo CD sync failed: ${op.message ?? op.phase}`,
    };
  if (errors.length > 0 && sync === 'Unknown')
    return {
      ...base,
      state: 'Degraded',
      reason: 'operation_failed',
      message: errors.map((c) => `${c.type}: ${c.message}`).join('; '),
    };
  if (health === 'Degraded' || health === 'Missing')
    return { ...base, state: 'Degraded', reason: 'unhealthy', message: `health ${health}${healthMsg}` };
  if (sync === 'Unknown' || health === 'Unknown')
    return {
      ...base,
      state: 'Unknown',
      reason: 'health_unknown',
      message: `sync ${sync}, health ${health}${healthMsg}`,
    };
  if (sync === 'OutOfSync')
    return i.selfHeal
      ? {
          ...base,
          state: 'Deploying',
          reason: 'drift_healing',
          message: 'OutOfSync: Argo CD self-heal syncs it',
        }
      : {
          ...base,
          state: 'OutOfSync',
          reason: 'drift_self_heal_off',
          message: 'OutOfSync (self_heal is off)',
        };
  if (health !== 'Healthy')
    return i.strict
      ? { ...base, state: 'Deploying', reason: 'progressing', message: `health ${health}${healthMsg}` }
      : { ...base, state: 'Synced', reason: 'progressing', message: `Synced, still ${health}${healthMsg}` };
  return {
    ...base,
    state: 'Synced',
    reason: 'synced',
    message: `Synced/Healthy at ${st.sync?.revision ?? 'its revision'}`,
  };
}
