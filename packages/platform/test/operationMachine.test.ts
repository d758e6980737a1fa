import { describe, expect, it } from 'vitest';
import {
  type Decision,
  decide,
  type OperationEvent,
  type OperationSnapshot,
  type OperationState,
  retryable,
  stepDeadline,
} from '../src/operations/machine.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const step = (id: string, state: OperationState, startedAt: number | null = null, timeoutSeconds = 60) => ({
  id,
  state,
  startedAt: startedAt === null ? null : at(startedAt),
  timeoutSeconds,
});
const op = (state: OperationState, ...steps: ReturnType<typeof step>[]): OperationSnapshot => ({
  state,
  steps,
});

/** A decision as `{op, steps: {id: state}, send}` for readable tables. */
const brief = (d: Decision) => ({
  op: d.operation?.state,
  steps: Object.fromEntries(d.steps.map((s) => [s.id, s.state])),
  send: d.send,
  ignored: d.ignored !== undefined,
});

const cases: {
  name: string;
  op: OperationSnapshot;
  event: OperationEvent;
  now?: number;
  want: ReturnType<typeof brief>;
}[] = [
  {
    name: 'start: the first step runs and its command goes out',
    op: op('pending', step('a', 'pending'), step('b', 'pending')),
    event: { type: 'start' },
    want: { op: 'running', steps: { a: 'running' }, send: ['a'], ignored: false },
  },
  {
    name: 'a successful result starts the next step',
    op: op('running', step('a', 'running', 0), step('b', 'pending')),
    event: { type: 'result', stepId: 'a', ok: true, message: 'done' },
    want: { op: 'running', steps: { a: 'success', b: 'running' }, send: ['b'], ignored: false },
  },
  {
    name: 'the last successful result ends the operation in success',
    op: op('running', step('a', 'success', 0), step('b', 'running', 1)),
    event: { type: 'result', stepId: 'b', ok: true, message: 'done' },
    want: { op: 'success', steps: { b: 'success' }, send: [], ignored: false },
  },
  {
    name: 'a failed result fails the operation and cancels the steps after it',
    op: op('running', step('a', 'running', 0), step('b', 'pending'), step('c', 'pending')),
    event: { type: 'result', stepId: 'a', ok: false, message: 'chart not found' },
    want: { op: 'failed', steps: { a: 'failed', b: 'cancelled', c: 'cancelled' }, send: [], ignored: false },
  },
  {
    name: 'a repeated result for a finished step is ignored (at-least-once delivery)',
    op: op('running', step('a', 'success', 0), step('b', 'running', 1)),
    event: { type: 'result', stepId: 'a', ok: true, message: 'again' },
    want: { op: undefined, steps: {}, send: [], ignored: true },
  },
  {
    name: 'a result for an unknown step is ignored',
    op: op('running', step('a', 'running', 0)),
    event: { type: 'result', stepId: 'zz', ok: true, message: '' },
    want: { op: undefined, steps: {}, send: [], ignored: true },
  },
  {
    name: 'a late result after a cancel is ignored',
    op: op('cancelled', step('a', 'cancelled', 0)),
    event: { type: 'result', stepId: 'a', ok: true, message: '' },
    want: { op: undefined, steps: {}, send: [], ignored: true },
  },
  {
    name: 'tick before the timeout: nothing',
    op: op('running', step('a', 'running', 0, 60)),
    event: { type: 'tick' },
    now: 59,
    want: { op: undefined, steps: {}, send: [], ignored: true },
  },
  {
    name: 'tick at the timeout: the step and the operation time out, later steps are cancelled',
    op: op('running', step('a', 'running', 0, 60), step('b', 'pending')),
    event: { type: 'tick' },
    now: 60,
    want: { op: 'timeout', steps: { a: 'timeout', b: 'cancelled' }, send: [], ignored: false },
  },
  {
    name: 'cancel a running operation: running and pending steps are cancelled, finished ones stay',
    op: op('running', step('a', 'success', 0), step('b', 'running', 1), step('c', 'pending')),
    event: { type: 'cancel' },
    want: { op: 'cancelled', steps: { b: 'cancelled', c: 'cancelled' }, send: [], ignored: false },
  },
  {
    name: 'cancel a pending operation',
    op: op('pending', step('a', 'pending')),
    event: { type: 'cancel' },
    want: { op: 'cancelled', steps: { a: 'cancelled' }, send: [], ignored: false },
  },
  {
    name: 'cancel a finished operation is refused',
    op: op('success', step('a', 'success', 0)),
    event: { type: 'cancel' },
    want: { op: undefined, steps: {}, send: [], ignored: true },
  },
  {
    name: 'resume re-sends the running step (same idempotency key), changes nothing',
    op: op('running', step('a', 'success', 0), step('b', 'running', 1), step('c', 'pending')),
    event: { type: 'resume' },
    want: { op: undefined, steps: {}, send: ['b'], ignored: false },
  },
  {
    name: 'resume starts a pending operation',
    op: op('pending', step('a', 'pending')),
    event: { type: 'resume' },
    want: { op: 'running', steps: { a: 'running' }, send: ['a'], ignored: false },
  },
  {
    name: 'resume of a running operation without a running step starts the next pending one',
    op: op('running', step('a', 'success', 0), step('b', 'pending')),
    event: { type: 'resume' },
    want: { op: 'running', steps: { b: 'running' }, send: ['b'], ignored: false },
  },
  {
    name: 'start of a running operation is ignored',
    op: op('running', step('a', 'running', 0)),
    event: { type: 'start' },
    want: { op: undefined, steps: {}, send: [], ignored: true },
  },
  {
    name: 'start with no steps succeeds at once',
    op: op('pending'),
    event: { type: 'start' },
    want: { op: 'success', steps: {}, send: [], ignored: false },
  },
];

describe('operation step machine', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(brief(decide(c.op, c.event, at(c.now ?? 10)))).toEqual(c.want);
    });
  }

  it('stamps times: a started step gets startedAt, finished ones finishedAt', () => {
    const d = decide(
      op('running', step('a', 'running', 0), step('b', 'pending')),
      {
        type: 'result',
        stepId: 'a',
        ok: true,
        message: 'ok',
      },
      at(5),
    );
    expect(d.steps).toEqual([
      { id: 'a', state: 'success', message: 'ok', finishedAt: at(5) },
      { id: 'b', state: 'running', startedAt: at(5) },
    ]);
    const s = decide(op('pending', step('a', 'pending')), { type: 'start' }, at(1));
    expect(s.operation).toEqual({ state: 'running', startedAt: at(1) });
  });

  it('a timeout names the step and its limit', () => {
    const d = decide(op('running', step('apply', 'running', 0, 30)), { type: 'tick' }, at(31));
    expect(d.operation?.message).toBe('step apply ran longer than its timeout of 30 s');
  });

  it('deadlines and retryable states', () => {
    expect(stepDeadline({ startedAt: at(0), timeoutSeconds: 90 })).toEqual(at(90));
    expect(stepDeadline({ startedAt: null, timeoutSeconds: 90 })).toBeUndefined();
    expect(
      (['pending', 'running', 'success', 'failed', 'cancelled', 'timeout'] as const).filter(retryable),
    ).toEqual(['failed', 'cancelled', 'timeout']);
  });
});
