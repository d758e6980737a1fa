import { type EngineContext, LABEL_CLUSTER } from '@mooring/engine';
import { CoreApi, setStoredStatus } from '@mooring/kube';
import type { Logger } from './logger.ts';

const PENDING = new Set(['pending-install', 'pending-upgrade', 'pending-rollback']);

/** A release revision this agent unlocked. */
export interface UnlockedRelease {
  name: string;
  namespace: string;
  revision: number;
  status: string;
}

/**
 * Unlocks the cluster's releases left in `pending-*` by an earlier agent process: Helm
 * marks a revision pending while it works and records the outcome when it ends, so a
 * revision that went pending before this process started belongs to an operation that
 * died with that process (SIGKILL, OOM, node loss) and would lock the release forever.
 * Each is recorded as `failed`, as Helm would have had it ended, so the command
 * delivered again (the queue redelivers what was never acked) upgrades it once more.
 * Only releases Mooring manages for this cluster (`mooring.dev/cluster`) are touched;
 * a revision that went pending after `startedAt` may be this process's own and is left.
 */
export async function unlockInterrupted(
  engine: EngineContext,
  startedAt: Date,
  logger: Logger,
): Promise<UnlockedRelease[]> {
  const core = new CoreApi(engine.kc);
  const latest = await engine.releases.latestAll(undefined, `${LABEL_CLUSTER}=${engine.cluster}`);
  const unlocked: UnlockedRelease[] = [];
  for (const r of latest) {
    if (!PENDING.has(r.status)) continue;
    const since = Date.parse(r.lastDeployed ?? '');
    if (Number.isFinite(since) && since >= startedAt.getTime()) continue;
    await setStoredStatus(core, r.name, r.namespace, r.version, 'failed', {
      description: `mooring: interrupted while ${r.status} (the agent stopped during the operation); unlocked by the restarted agent`,
    });
    const u = { name: r.name, namespace: r.namespace, revision: r.version, status: r.status };
    logger.warn(
      { release: r.name, namespace: r.namespace, revision: r.version, was: r.status },
      'a release left pending by an interrupted operation was unlocked (revision recorded as failed)',
    );
    unlocked.push(u);
  }
  return unlocked;
}
