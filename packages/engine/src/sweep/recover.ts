import { CoreApi, type StoredRelease, setStoredStatus } from '@mooring/kube';
import { deployAddon } from '../addon.ts';
import type { EngineContext } from '../context.ts';
import type { LiveState } from './liveState.ts';
import type { SweepTarget } from './types.ts';

/**
 * Recovers a release stuck in pending-*: unlocks it (the stuck revision is
 * recorded as failed, as Helm would have had it finished), then a fresh
 * `upgrade --install` with rollback on failure; if that fails too, a rollback to
 * the last deployed revision.
 */
export async function recoverStuck(
  ctx: EngineContext,
  live: LiveState,
  t: SweepTarget,
  stuck: StoredRelease,
): Promise<{ ok: boolean; message: string }> {
  const a = t.addon;
  const core = new CoreApi(ctx.kc);
  await setStoredStatus(core, stuck.name, stuck.namespace, stuck.version, 'failed', {
    description: `mooring: unlocked after being ${stuck.status} since ${stuck.lastDeployed}`,
  });
  try {
    await deployAddon(ctx, a, t.hash, undefined, {
      force: true,
      description: `mooring: recovered from ${stuck.status}`,
    });
    return {
      ok: true,
      message: `recovered from ${stuck.status} (revision ${stuck.version}) with a fresh upgrade`,
    };
  } catch (upgradeError) {
    const previous = live
      .history(stuck.name, stuck.namespace)
      .map((h) => h.release)
      .filter((r) => r.version < stuck.version && (r.status === 'deployed' || r.status === 'superseded'))
      .pop();
    if (!previous) {
      return {
        ok: false,
        message: `recovery upgrade failed and there is no deployed revision to roll back to: ${(upgradeError as Error).message}`,
      };
    }
    try {
      await ctx.helm.rollback(stuck.name, stuck.namespace, previous.version, {
        wait: true,
        timeoutMs: a.jobConfiguration.updateJobTimeout.seconds * 1000,
      });
      return {
        ok: true,
        message: `recovery upgrade failed (${(upgradeError as Error).message}); rolled back to revision ${previous.version}`,
      };
    } catch (rollbackError) {
      return {
        ok: false,
        message: `recovery failed: upgrade: ${(upgradeError as Error).message}; rollback: ${(rollbackError as Error).message}`,
      };
    }
  }
}
