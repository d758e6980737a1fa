import { z } from 'zod';
import type { OperationRow, OperationStepRow } from '../db/types.ts';
import { OPERATION_STATES, type OperationState, stepDeadline } from './machine.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const stepSchema = z
  .object({
    id: z.string(),
    position: z.number().int(),
    name: z.string(),
    kind: z.string().describe('the command kind sent to the agent'),
    state: z.enum(OPERATION_STATES),
    message: z.string(),
    timeout_seconds: z.number().int(),
    idempotency_key: z.string().describe('`{operation_id}:{step_id}`: the agent runs the step at most once'),
    sends: z.number().int().describe('how many times its command was sent (re-sent after a restart)'),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    deadline_at: z.string().nullable().describe('when a running step times out'),
    result: z
      .unknown()
      .nullable()
      .describe('the agent’s result: per-member outcomes of an apply, drift detail of a sweep'),
  })
  .meta({ id: 'OperationStep' });
export type StepView = z.infer<typeof stepSchema>;

export const operationSchema = z
  .object({
    id: z.string(),
    cluster_id: z.string(),
    type: z.string().describe('import, apply, sync, rollback, uninstall, sweep'),
    state: z.enum(OPERATION_STATES),
    message: z.string(),
    created_by: z.string().describe('a user id, or `scheduler@<instance>`'),
    retry_of: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'Operation' });
export type OperationView = z.infer<typeof operationSchema>;

export const operationDetailSchema = operationSchema
  .extend({ payload: z.record(z.string(), z.unknown()), steps: z.array(stepSchema) })
  .meta({ id: 'OperationDetail' });
export type OperationDetail = z.infer<typeof operationDetailSchema>;

export function operationView(o: OperationRow): OperationView {
  return {
    id: o.id,
    cluster_id: o.cluster_id,
    type: o.type,
    state: o.state as OperationState,
    message: o.message,
    created_by: o.created_by,
    retry_of: o.retry_of,
    created_at: o.created_at.toISOString(),
    updated_at: o.updated_at.toISOString(),
    started_at: iso(o.started_at),
    finished_at: iso(o.finished_at),
  };
}

export function stepView(s: OperationStepRow): StepView {
  const deadline =
    s.state === 'running'
      ? stepDeadline({ startedAt: s.started_at, timeoutSeconds: s.timeout_seconds })
      : undefined;
  return {
    id: s.id,
    position: s.position,
    name: s.name,
    kind: s.kind,
    state: s.state as OperationState,
    message: s.message,
    timeout_seconds: s.timeout_seconds,
    idempotency_key: s.idempotency_key,
    sends: s.sends,
    started_at: iso(s.started_at),
    finished_at: iso(s.finished_at),
    deadline_at: deadline ? deadline.toISOString() : null,
    result: s.result === null ? null : (JSON.parse(s.result) as unknown),
  };
}

export function operationDetail(o: OperationRow, steps: OperationStepRow[]): OperationDetail {
  return {
    ...operationView(o),
    payload: JSON.parse(o.payload) as Record<string, unknown>,
    steps: steps.map(stepView),
  };
}
