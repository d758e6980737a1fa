import type { CommandEnvelope } from '@mooring/bus';
import {
  type EngineContext,
  type EnginePolicy,
  engineOf,
  type MigrationEligibility,
  type MigrationReport,
  migrateAddonToNative,
  migrationEligibility,
  mooringApplication,
  returnAddonToArgo,
  sweepTargets,
  withEngine,
} from '@mooring/engine';
import { z } from 'zod';
import {
  diagnosticsOut,
  enginePolicySchema,
  type HandlerOutput,
  loadApplyDefinition,
  movePayloadSchema,
  payloadIssues,
} from './commands.ts';
import type { Logger } from './logger.ts';
import type { CommandResult } from './results.ts';

/** The request for the migration preview: every add-on on Argo CD, with what blocks or flags its move. */
export const ELIGIBILITY_REQUEST = 'argocd.eligibility';

export const eligibilityPayloadSchema = z.strictObject({
  files: z.record(z.string(), z.string()),
  path: z.string().min(1),
  engines: enginePolicySchema.optional(),
});

type Handler = (cmd: CommandEnvelope, logger: Logger) => Promise<HandlerOutput>;

function migrationOut(r: MigrationReport, to: 'native' | 'argocd'): NonNullable<CommandResult['migration']> {
  return {
    addon: r.addon,
    namespace: r.namespace,
    to,
    revision: r.revision,
    already: r.already,
    objects: r.objects,
    replaced: r.replaced,
    pods_before: r.podsBefore,
    pods_after: r.podsAfter,
    metadata_changed: r.metadataChanged,
  };
}

/**
 * `argocd.migrate` (an add-on from Argo CD to the native engine) and
 * `argocd.return` (back to Argo CD, the per-add-on rollback). They run side by
 * side, never during an apply, with the reconciler paused; and sets the agent's engine choice for
 * the add-on once done, so the sweeps that follow use the new engine.
 */
export function engineMoveHandlers(
  engine: EngineContext,
  moving: <T>(fn: () => Promise<T>) => Promise<T>,
): Record<'argocd.migrate' | 'argocd.return', Handler> {
  const move =
    (to: 'native' | 'argocd'): Handler =>
    async (cmd, logger) => {
      const p = movePayloadSchema.safeParse(cmd.payload);
      if (!p.success)
        return {
          ok: false,
          outcome: 'invalid',
          message: `invalid ${cmd.kind} payload: ${payloadIssues(p.error).join('; ')}`,
        };
      const loaded = loadApplyDefinition(p.data);
      if (!loaded.ok)
        return {
          ok: false,
          outcome: 'invalid',
          message: loaded.message,
          diagnostics: diagnosticsOut(loaded.diagnostics),
        };
      const target = sweepTargets(loaded.def, loaded.plan).find((t) => t.addon.name === p.data.addon);
      if (!target)
        return {
          ok: false,
          outcome: 'invalid',
          message: `add-on ${p.data.addon} is not in ${p.data.path}`,
        };
      const a = target.addon;
      return moving(async () => {
        // the platform's policy, with this agent's own latest moves (a move running beside this one) kept
        if (p.data.engines)
          engine.engines = {
            default: p.data.engines.default,
            overrides: { ...p.data.engines.overrides, ...engine.engines?.overrides },
          };
        try {
          if (to === 'native') {
            const stored = await engine.releases.latest(a.name, a.namespace);
            const r = await migrateAddonToNative(engine, a, target.hash, stored);
            engine.engines = withEngine(engine.engines, a.name, 'native');
            logger.info(
              { addon: a.name, revision: r.revision, replaced: r.replaced.length, already: r.already },
              'add-on migrated to the native engine',
            );
            return {
              ok: true,
              outcome: 'ok',
              message: `${a.name}: ${r.message}`,
              migration: migrationOut(r, 'native'),
            };
          }
          const r = await returnAddonToArgo(engine, a, target.hash);
          engine.engines = withEngine(engine.engines, a.name, 'argocd');
          logger.info({ addon: a.name }, 'add-on returned to Argo CD');
          return {
            ok: true,
            outcome: 'ok',
            message: `${a.name}: back on Argo CD, ${r.message}; the Helm release storage forgotten, objects kept`,
            migration: {
              addon: a.name,
              namespace: a.namespace,
              to: 'argocd',
              revision: r.revision,
              already: false,
              objects: 0,
              replaced: [],
              pods_before: [],
              pods_after: [],
              metadata_changed: [],
            },
          };
        } catch (e) {
          logger.warn({ addon: a.name, err: (e as Error).message }, `${cmd.kind} failed`);
          return { ok: false, outcome: 'failed', message: (e as Error).message };
        }
      });
    };
  return { 'argocd.migrate': move('native'), 'argocd.return': move('argocd') };
}

/** The migration preview: each add-on whose engine is argocd, from its Application. */
export function eligibilityHandler(engine: EngineContext): (data: unknown) => Promise<object> {
  return async (data) => {
    const p = eligibilityPayloadSchema.safeParse(data);
    if (!p.success)
      return { error: `invalid ${ELIGIBILITY_REQUEST} request: ${payloadIssues(p.error).join('; ')}` };
    const loaded = loadApplyDefinition(p.data);
    if (!loaded.ok) return { error: loaded.message };
    const policy: EnginePolicy | undefined = p.data.engines ?? engine.engines;
    const argo = engine.argocd;
    if (!argo) return { error: 'Argo CD is not connected on this agent' };
    const addons: MigrationEligibility[] = [];
    for (const t of sweepTargets(loaded.def, loaded.plan)) {
      if (engineOf(policy, t.addon) !== 'argocd') continue;
      const app = await mooringApplication(argo, engine.cluster, t.addon.name);
      addons.push(migrationEligibility({ ...t.addon, chart: t.addon.chart }, app));
    }
    return { addons };
  };
}
