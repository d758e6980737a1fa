import type { CommandEnvelope } from '@mooring/bus';
import {
  applyPlan,
  type EngineContext,
  type ManifestSweepTarget,
  manifestSweepTargets,
  type SweepReport,
  type SweepTarget,
  sweepTargets,
} from '@mooring/engine';
import { addonCommandHandlers } from './addonCommands.ts';
import {
  applyOutput,
  applyPayloadSchema,
  diagnosticsOut,
  type HandlerOutput,
  loadApplyDefinition,
  payloadIssues,
  sweepOutput,
  sweepPayloadSchema,
} from './commands.ts';
import { engineMoveHandlers } from './engineMoves.ts';
import { unlockInterrupted } from './interrupted.ts';
import type { Logger } from './logger.ts';
import type { AgentMetrics } from './metrics.ts';
import { Semaphore } from './semaphore.ts';

/** What the command handlers act on. */
export interface HandlerDeps {
  engine: EngineContext;
  reconciler: {
    setTargets(targets: SweepTarget[], manifests: ManifestSweepTarget[]): void;
    sweepNow(): Promise<SweepReport>;
    /** Held while an apply runs, so the reconciler never acts against the definition being replaced. */
    pause?(): Promise<void>;
    resume?(): void;
  };
  metrics: AgentMetrics;
  /**
   * When this agent process started: a release left `pending-*` before then belongs to an
   * operation that died with an earlier process, and an apply unlocks it first.
   */
  startedAt?: Date;
}

export type CommandHandler = (cmd: CommandEnvelope, logger: Logger) => Promise<HandlerOutput>;

function invalid(message: string, issues: string[]): HandlerOutput {
  return { ok: false, outcome: 'invalid', message: `${message}: ${issues.join('; ')}` };
}

/**
 * The handlers by command kind. A handler returns the result (a failure to apply
 * is a result, not an exception); it throws only on an unexpected crash, which
 * makes the command be delivered again.
 */
export function commandHandlers(deps: HandlerDeps): Record<string, CommandHandler> {
  // Each apply carries the whole definition of the cluster and removes what left it,
  // so two applies never run at once, whatever the size of the write pool.
  const applyLock = new Semaphore(1);

  const apply: CommandHandler = async (cmd, logger) => {
    const p = applyPayloadSchema.safeParse(cmd.payload);
    if (!p.success) return invalid('invalid apply payload', payloadIssues(p.error));
    const loaded = loadApplyDefinition(p.data);
    if (!loaded.ok) {
      logger.warn({ path: p.data.path, errors: loaded.diagnostics.length }, loaded.message);
      return {
        ok: false,
        outcome: 'invalid',
        message: loaded.message,
        diagnostics: diagnosticsOut(loaded.diagnostics),
      };
    }
    const { def, plan } = loaded;
    return applyLock.run(async () => {
      const o = p.data.options ?? {};
      // the platform's engine choices (cluster default, migrated add-ons) travel with each apply
      if (p.data.engines) deps.engine.engines = p.data.engines;
      logger.info({ definition: def.name, path: p.data.path }, 'applying definition');
      // the reconciler holds still while the cluster moves to the new definition: otherwise a
      // re-check of a release just upgraded would find it "behind" the old targets and undo it
      await deps.reconciler.pause?.();
      let r: Awaited<ReturnType<typeof applyPlan>>;
      try {
        if (deps.startedAt) {
          // an apply interrupted with the previous agent process left its release locked: this
          // delivery of the command (or the next apply) upgrades it once more
          await unlockInterrupted(deps.engine, deps.startedAt, logger).catch((err: unknown) =>
            logger.warn({ err }, 'could not check for releases left pending by an interrupted operation'),
          );
        }
        r = await applyPlan(deps.engine, def, plan, {
          ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
          ...(o.deletePvcs !== undefined ? { deletePvcs: o.deletePvcs } : {}),
          ...(o.takeOwnership !== undefined ? { takeOwnership: o.takeOwnership } : {}),
          onEvent: (e) => logger.debug({ event: e }, 'engine event'),
        });
        // the reconciler keeps the cluster equal to the definition last applied, even a partly failed one
        deps.reconciler.setTargets(sweepTargets(def, plan), manifestSweepTargets(def, plan));
      } finally {
        deps.reconciler.resume?.();
      }
      deps.metrics.helm('apply', r.helmCalls);
      const out = applyOutput(def.name, r, loaded.warnings);
      (r.ok ? logger.info : logger.warn).call(
        logger,
        { definition: def.name, ms: r.durationMs },
        out.message,
      );
      return out;
    });
  };

  const sweep: CommandHandler = async (cmd) => {
    const p = sweepPayloadSchema.safeParse(cmd.payload);
    if (!p.success) return invalid('invalid sweep payload', payloadIssues(p.error));
    return sweepOutput(await deps.reconciler.sweepNow());
  };

  // moves between engines run side by side (up to three), never during an apply, with the reconciler held still
  const moveSlots = new Semaphore(3);
  let movers = 0;
  let holding: Promise<() => void> | undefined;
  const moving = <T>(fn: () => Promise<T>): Promise<T> =>
    moveSlots.run(async () => {
      if (movers++ === 0) holding = applyLock.acquire();
      const held = holding!;
      await held;
      await deps.reconciler.pause?.();
      try {
        return await fn();
      } finally {
        deps.reconciler.resume?.();
        if (--movers === 0) (await held)();
      }
    });

  return {
    apply,
    sweep,
    ...addonCommandHandlers(deps.engine),
    ...engineMoveHandlers(deps.engine, moving),
  };
}
