/**
 * The operation step machine: pure decisions over plain objects. The service
 * loads an operation with its steps, asks `decide` what an event does, stores the
 * answer in one transaction and then sends the commands it names.
 */

/**
 * State of an operation and of each step, in order of severity for a finished one:
 * `pending` (not started), `running` (a step's command is out), `success`,
 * `cancelled` (stopped by a person), `timeout` (a step ran past its timeout),
 * `failed` (the agent reported a failure).
 */
export const OPERATION_STATES = ['pending', 'running', 'success', 'failed', 'cancelled', 'timeout'] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

/** States an operation never leaves. */
export const FINISHED_STATES: readonly OperationState[] = ['success', 'failed', 'cancelled', 'timeout'];

export function isFinished(state: OperationState): boolean {
  return FINISHED_STATES.includes(state);
}

/** A step as the machine sees it. */
export interface StepSnapshot {
  id: string;
  state: OperationState;
  startedAt: Date | null;
  timeoutSeconds: number;
}

/** An operation as the machine sees it: steps in their order. */
export interface OperationSnapshot {
  state: OperationState;
  steps: StepSnapshot[];
}

export type OperationEvent =
  /** Begin a pending operation. */
  | { type: 'start' }
  /** The agent's result for a step. */
  | { type: 'result'; stepId: string; ok: boolean; message: string }
  /** Time passes: steps past their timeout end. */
  | { type: 'tick' }
  /** A person stops the operation. */
  | { type: 'cancel' }
  /** The platform starts again: re-send what is running, begin what is pending. */
  | { type: 'resume' };

/** One step's change. */
export interface StepChange {
  id: string;
  state: OperationState;
  message?: string;
  startedAt?: Date;
  finishedAt?: Date;
}

/** What an event does. `send`: steps whose command goes (again) to the agent after the change is stored. */
export interface Decision {
  operation?: { state: OperationState; message?: string; startedAt?: Date; finishedAt?: Date };
  steps: StepChange[];
  send: string[];
  /** Why nothing changed (a late result, a cancel of a finished operation, ...). */
  ignored?: string;
}

const nothing = (ignored: string): Decision => ({ steps: [], send: [], ignored });

/** When a running step passes its timeout. */
export function stepDeadline(step: Pick<StepSnapshot, 'startedAt' | 'timeoutSeconds'>): Date | undefined {
  return step.startedAt ? new Date(step.startedAt.getTime() + step.timeoutSeconds * 1000) : undefined;
}

/** The first pending step after `index` started now, or the operation's end with `state`. */
function advance(op: OperationSnapshot, index: number, now: Date, steps: StepChange[]): Decision {
  const next = op.steps.slice(index + 1).find((s) => s.state === 'pending');
  if (next) {
    steps.push({ id: next.id, state: 'running', startedAt: now });
    return { operation: { state: 'running' }, steps, send: [next.id] };
  }
  return { operation: { state: 'success', message: '', finishedAt: now }, steps, send: [] };
}

/** The operation ends in `state`: the running step gets `state`, pending steps are cancelled. */
function end(
  op: OperationSnapshot,
  state: OperationState,
  message: string,
  now: Date,
  steps: StepChange[],
  stepState: (s: StepSnapshot) => OperationState | undefined,
): Decision {
  for (const s of op.steps) {
    if (steps.some((c) => c.id === s.id)) continue;
    const to = stepState(s);
    if (to) steps.push({ id: s.id, state: to, finishedAt: now, message: to === state ? message : '' });
  }
  return { operation: { state, message, finishedAt: now }, steps, send: [] };
}

/** What `event` does to `op` at `now` (pure). */
export function decide(op: OperationSnapshot, event: OperationEvent, now: Date): Decision {
  if (isFinished(op.state)) return nothing(`the operation is ${op.state} already`);
  switch (event.type) {
    case 'start':
    case 'resume': {
      if (op.state === 'pending' || !op.steps.some((s) => s.state === 'running')) {
        if (op.steps.length === 0) {
          return { operation: { state: 'success', startedAt: now, finishedAt: now }, steps: [], send: [] };
        }
        const first = op.steps.findIndex((s) => s.state === 'pending');
        if (first < 0) return { operation: { state: 'success', finishedAt: now }, steps: [], send: [] };
        const d = advance(op, first - 1, now, []);
        return op.state === 'pending' ? { ...d, operation: { state: 'running', startedAt: now } } : d;
      }
      if (event.type === 'start') return nothing('the operation is running already');
      // re-send every running step's command with its idempotency key: the agent answers from its record or runs it once
      return { steps: [], send: op.steps.filter((s) => s.state === 'running').map((s) => s.id) };
    }
    case 'result': {
      const i = op.steps.findIndex((s) => s.id === event.stepId);
      const step = op.steps[i];
      if (!step) return nothing(`no step ${event.stepId}`);
      if (step.state !== 'running') return nothing(`step ${event.stepId} is ${step.state}, not running`);
      if (event.ok) {
        return advance(op, i, now, [
          { id: step.id, state: 'success', message: event.message, finishedAt: now },
        ]);
      }
      return end(
        op,
        'failed',
        event.message,
        now,
        [{ id: step.id, state: 'failed', message: event.message, finishedAt: now }],
        (s) => (s.state === 'pending' ? 'cancelled' : undefined),
      );
    }
    case 'tick': {
      const late = op.steps.find((s) => {
        const deadline = s.state === 'running' ? stepDeadline(s) : undefined;
        return deadline !== undefined && now.getTime() >= deadline.getTime();
      });
      if (!late) return nothing('no step is past its timeout');
      const message = `step ${late.id} ran longer than its timeout of ${late.timeoutSeconds} s`;
      return end(op, 'timeout', message, now, [], (s) =>
        s.id === late.id
          ? 'timeout'
          : s.state === 'pending' || s.state === 'running'
            ? 'cancelled'
            : undefined,
      );
    }
    case 'cancel':
      return end(op, 'cancelled', 'cancelled', now, [], (s) =>
        s.state === 'pending' || s.state === 'running' ? 'cancelled' : undefined,
      );
  }
}

/** Whether a finished operation may be retried (as a new operation with the same steps). */
export function retryable(state: OperationState): boolean {
  return state === 'failed' || state === 'timeout' || state === 'cancelled';
}

/** The idempotency key of a step's command: the agent runs it at most once per key. */
export function idempotencyKey(operationId: string, stepId: string): string {
  return `${operationId}:${stepId}`;
}
