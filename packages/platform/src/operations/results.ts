import { z } from 'zod';

/**
 * The fields of an agent's command result (`agent.results.{cluster_id}`) the
 * operations read; the rest (per-member outcomes, sweep detail) is kept as the
 * step's result as it came.
 */
export const agentResultSchema = z.looseObject({
  command_id: z.string().min(1),
  cluster_id: z.string().min(1),
  kind: z.string(),
  ok: z.boolean(),
  outcome: z.string(),
  message: z.string(),
  idempotency_key: z.string().min(1).optional(),
});
export type AgentResult = z.infer<typeof agentResultSchema>;

/** Default step timeouts by command kind (seconds). */
export const DEFAULT_STEP_TIMEOUTS: Readonly<Record<string, number>> = {
  apply: 1800,
  sweep: 300,
  'argocd.migrate': 900,
  'argocd.return': 900,
};
export const FALLBACK_STEP_TIMEOUT_SECONDS = 600;

export function defaultStepTimeout(kind: string): number {
  return DEFAULT_STEP_TIMEOUTS[kind] ?? FALLBACK_STEP_TIMEOUT_SECONDS;
}
