import type { CommandEnvelope } from '@mooring/bus';
import type { EngineContext } from '@mooring/engine';
import { z } from 'zod';
import { type HandlerOutput, payloadIssues } from './commands.ts';
import type { Logger } from './logger.ts';

/** `rollback`'s payload: the add-on's release and the revision to go back to. */
export const rollbackPayloadSchema = z.strictObject({
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63),
  revision: z.number().int().min(1),
});

/** `uninstall`'s payload: the add-on's release. */
export const uninstallPayloadSchema = z.strictObject({
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63),
});

type Handler = (cmd: CommandEnvelope, logger: Logger) => Promise<HandlerOutput>;

/**
 * `rollback` (helm rollback to a revision, waiting for it) and `uninstall` (helm
 * uninstall) of one add-on's release. A Helm failure is a `failed` result. The
 * reconciler keeps the definition: an automated add-on is brought back to Git later.
 */
export function addonCommandHandlers(engine: EngineContext): { rollback: Handler; uninstall: Handler } {
  return {
    rollback: async (cmd, logger) => {
      const p = rollbackPayloadSchema.safeParse(cmd.payload);
      if (!p.success)
        return {
          ok: false,
          outcome: 'invalid',
          message: `invalid rollback payload: ${payloadIssues(p.error).join('; ')}`,
        };
      const { name, namespace, revision } = p.data;
      try {
        await engine.helm.rollback(name, namespace, revision, { wait: true, timeoutMs: 300_000 });
        logger.info({ addon: name, namespace, revision }, 'rolled back');
        return {
          ok: true,
          outcome: 'ok',
          message: `rolled ${namespace}/${name} back to revision ${revision}`,
        };
      } catch (e) {
        return {
          ok: false,
          outcome: 'failed',
          message: `rollback of ${namespace}/${name} failed: ${(e as Error).message}`,
        };
      }
    },
    uninstall: async (cmd, logger) => {
      const p = uninstallPayloadSchema.safeParse(cmd.payload);
      if (!p.success)
        return {
          ok: false,
          outcome: 'invalid',
          message: `invalid uninstall payload: ${payloadIssues(p.error).join('; ')}`,
        };
      const { name, namespace } = p.data;
      try {
        await engine.helm.uninstall(name, namespace, { wait: true, timeoutMs: 300_000 });
        logger.info({ addon: name, namespace }, 'uninstalled');
        return { ok: true, outcome: 'ok', message: `uninstalled ${namespace}/${name}` };
      } catch (e) {
        return {
          ok: false,
          outcome: 'failed',
          message: `uninstall of ${namespace}/${name} failed: ${(e as Error).message}`,
        };
      }
    },
  };
}
