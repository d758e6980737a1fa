import {
  aggregateHealth,
  decideSelfHeal,
  deriveAddonState,
  diffObject,
  type IgnoreRule,
  isInsideWindow,
  type K8sObject,
  recordHealOutcome,
  sha256Hex,
} from '@mooring/core';
import { type KubeObject, ObjectApi, objectRef } from '@mooring/kube';
import type { EngineContext } from '../context.ts';
import { hashLabel, LABEL_HASH } from '../context.ts';
import { correctDrift } from './correctDrift.ts';
import type { LiveState } from './liveState.ts';
import { pruneOrphans } from './prune.ts';
import { recoverStuck } from './recover.ts';
import type {
  AddonMemory,
  AddonReport,
  ObjectDrift,
  SweepAction,
  SweepOptions,
  SweepTarget,
} from './types.ts';

const PENDING = new Set(['pending-install', 'pending-upgrade', 'pending-rollback']);

function rulesOf(t: SweepTarget): IgnoreRule[] {
  return t.addon.settings.ignoreDifferences as unknown as IgnoreRule[];
}

/** Drift of every desired object, from the cache; objects whose drift may be owned by an ignored manager are re-read with managedFields. */
async function detectDrift(
  ctx: EngineContext,
  live: LiveState,
  desired: KubeObject[],
  rules: IgnoreRule[],
  counter: { requests: number },
): Promise<ObjectDrift[]> {
  const out: ObjectDrift[] = [];
  const managerRules = rules.filter(
    (r) => (r.managedFieldsManagers ?? r.managed_fields_managers ?? []).length > 0,
  );
  for (const o of desired) {
    const cached = live.live(o);
    let d = diffObject(o as unknown as K8sObject, cached as unknown as K8sObject | undefined, rules);
    if (d.drifted && cached && managerRules.some((r) => r.kind === o.kind)) {
      // the cache holds no managedFields: read this one object in full to apply manager-based rules
      counter.requests++;
      const full = await new ObjectApi(ctx.kc).read<K8sObject>(o);
      d = diffObject(o as unknown as K8sObject, full, rules);
    }
    if (d.drifted) out.push({ ref: objectRef(o), missing: d.missing, text: d.text, patch: d.patch });
  }
  return out;
}

/** A report that knows nothing yet about the add-on (state Unknown), with a message. */
export function unknownReport(t: SweepTarget, message: string): AddonReport {
  const a = t.addon;
  return {
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
    message,
  };
}

/**
 * One add-on in one sweep: determine its state (release, drift, health), choose
 * the action (recover, heal, prune, report, nothing), run it, and derive the
 * add-on state.
 */
export async function checkAddon(
  ctx: EngineContext,
  live: LiveState,
  t: SweepTarget,
  memory: AddonMemory,
  opts: SweepOptions,
  counter: { requests: number },
): Promise<AddonReport> {
  const a = t.addon;
  const now = (opts.now ?? (() => new Date()))();
  const report = unknownReport(t, '');
  const window = a.settings.syncWindow;
  const windowCheck = window?.enabled
    ? isInsideWindow(window as never, now, { override: opts.windowOverride })
    : { inside: true, reason: 'disabled' as const, message: '' };
  const act = (action: SweepAction) => report.actions.push(action);
  const say = (message: string) => {
    report.message = report.message ? `${report.message}; ${message}` : message;
  };

  let history = live.history(a.name, a.namespace);
  let current = history.at(-1);
  report.releaseStatus = current?.release.status;
  report.revision = current?.release.version;

  // 1. a release stuck in pending-* for too long
  if (current && PENDING.has(current.release.status)) {
    const since = Date.parse(current.release.lastDeployed ?? '') || 0;
    if (now.getTime() - since > (opts.stuckAfterMs ?? 10 * 60_000)) {
      if (opts.autoHeal === false) {
        report.message = `release ${current.release.status} since ${new Date(since).toISOString()}; auto-heal is disabled`;
      } else if (!windowCheck.inside) {
        act('cancelled');
        report.message = 'outside_sync_window';
      } else {
        const r = await recoverStuck(ctx, live, t, current.release);
        act(r.ok ? 'recovered' : 'recover_failed');
        say(r.message);
        history = live.history(a.name, a.namespace);
        current = history.at(-1) ?? current;
      }
    }
  }

  // 2. drift and health, from the watch caches
  const allObjects = history.flatMap((h) => h.objects);
  const failedKinds = await live.ensureKinds(allObjects);
  const desired = current?.objects ?? [];
  const rules = rulesOf(t);
  report.drift = current ? await detectDrift(ctx, live, desired, rules, counter) : [];
  const liveObjects = desired.map((o) => (live.live(o) as unknown as K8sObject) ?? null);
  const health = aggregateHealth(liveObjects, {
    strict: a.settings.strictHealthCheck,
    missingRefs: desired.filter((o) => !live.live(o)).map(objectRef),
  });
  report.health = health.status;
  report.healthMessage = health.message;
  // the release holds other content than Git wants (a rollback, a manual upgrade, a Git change not applied yet)
  const behind = !!current && current.release.labels[LABEL_HASH] !== hashLabel(t.hash);
  if (behind) report.behindGit = true;
  const drifted = !current || report.drift.length > 0 || behind;
  if (drifted && !memory.detectedAt) memory.detectedAt = now.getTime();
  if (!drifted) memory.detectedAt = undefined;
  if (memory.detectedAt) report.detectedAt = new Date(memory.detectedAt).toISOString();

  // 3. self-heal
  let retry: ReturnType<typeof decideSelfHeal> | undefined;
  // live drift is healed with self_heal; a missing release or one behind Git is synced with automated
  const allowed =
    ((!current || behind) && a.settings.syncPolicy.automated) ||
    (report.drift.length > 0 && a.settings.syncPolicy.selfHeal);
  if (drifted && !PENDING.has(current?.release.status ?? '')) {
    if (!current) act('missing_release');
    if (!allowed) {
      act('reported');
    } else if (!windowCheck.inside) {
      act('cancelled');
      say('outside_sync_window');
    } else {
      const driftKey = sha256Hex(
        JSON.stringify(report.drift.map((d) => [d.ref, d.patch])) +
          (current ? '' : 'missing') +
          (behind ? t.hash : ''),
      );
      retry = decideSelfHeal(a.settings.retryPolicy as never, memory.heal, driftKey, now);
      if (retry.action === 'heal') {
        try {
          const heal = await correctDrift(ctx, live, {
            addon: a,
            hash: t.hash,
            release: current?.release,
            behindGit: behind,
            drift: report.drift,
            desired,
            rules,
            counter,
            targeted: opts.targetedHeal,
          });
          report.healedBy = heal.by;
          if (heal.fallback) report.healFallback = heal.fallback;
          memory.heal = recordHealOutcome(memory.heal, driftKey, 'success', now);
          act('healed');
          report.healedAt = new Date().toISOString();
          say(
            behind
              ? `synced the release to Git (${report.drift.length} drifted objects)`
              : heal.by === 'apply'
                ? `healed ${report.drift.length} drifted objects by server-side apply as helm (revision ${current?.release.version} kept)`
                : `healed ${report.drift.length} drifted objects`,
          );
        } catch (e) {
          memory.heal = recordHealOutcome(memory.heal, driftKey, 'failure', now);
          act('heal_failed');
          say(`self-heal failed: ${(e as Error).message}`);
          retry = decideSelfHeal(a.settings.retryPolicy as never, memory.heal, driftKey, now);
        }
      } else {
        act(retry.action === 'wait' ? 'heal_waiting' : 'heal_given_up');
        say(retry.message);
      }
    }
  }

  // 4. prune: objects with this release's ownership markers that the manifest no longer holds
  if (a.settings.syncPolicy.autoPrune && current) {
    const kinds = uniqueKinds(allObjects);
    if (failedKinds.length > 0 || !live.complete(kinds)) {
      report.pruneSkipped = 'not every read of this sweep succeeded: nothing is pruned on partial data';
    } else {
      const r = await pruneOrphans(ctx, live, current.release, desired, history, kinds);
      report.pruned = r.deleted;
      if (r.deleted.length > 0) act('pruned');
      if (r.errors.length > 0) report.pruneSkipped = r.errors.join('; ');
    }
  }
  if (report.actions.length === 0) act('none');

  const healed = report.actions.includes('healed');
  const st = deriveAddonState({
    releaseStatus: healed ? 'deployed' : (current?.release.status ?? undefined),
    health: health.status,
    healthMessage: health.message,
    drifted: drifted && !healed,
    selfHeal: allowed,
    strictHealth: a.settings.strictHealthCheck,
    retry:
      retry && retry.action === 'wait'
        ? ({
            exhausted: false,
            attempt: retry.attempt,
            of: retry.of,
            nextAttemptAt: retry.until,
            delayMs: retry.until.getTime() - now.getTime(),
          } as never)
        : undefined,
  });
  report.state = st.state;
  report.reason = st.reason;
  if (!report.message) report.message = st.message;
  return report;
}

function uniqueKinds(objects: KubeObject[]): { apiVersion: string; kind: string }[] {
  const m = new Map<string, { apiVersion: string; kind: string }>();
  for (const o of objects) m.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind });
  return [...m.values()];
}
