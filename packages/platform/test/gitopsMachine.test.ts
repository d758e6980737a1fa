import { describe, expect, it } from 'vitest';
import {
  IDLE,
  NOT_CONFIGURED,
  reduce,
  type SyncEffect,
  type SyncEvent,
  type SyncState,
  type Trigger,
} from '../src/gitops/machine.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const hook = (commit: string): Trigger => ({
  source: 'webhook',
  commit,
  triggeredBy: 'github (alice)',
  triggeredByKind: 'provider',
});
const poll = (commit: string): Trigger => ({
  source: 'poll',
  commit,
  triggeredBy: 'git poll',
  triggeredByKind: 'provider',
});
const manual: Trigger = { source: 'manual', triggeredBy: 'bob', triggeredByKind: 'user' };
const policy = { limit: 2, durationMs: 1000, factor: 2, maxMs: 10_000 };

/** Runs events from a state; returns the last state and every effect, by kind. */
function run(from: SyncState, events: SyncEvent[]): { state: SyncState; effects: SyncEffect[] } {
  let state = from;
  const effects: SyncEffect[] = [];
  for (const e of events) {
    const t = reduce(state, e, policy);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

const kinds = (effects: SyncEffect[]) =>
  effects.map((e) =>
    e.kind === 'start'
      ? `start ${e.trigger.commit?.[0] ?? 'head'}`
      : e.kind === 'retry'
        ? `retry ${e.attempt} ${e.delayMs}`
        : `finish ${e.outcome} ${e.commit?.[0] ?? '-'}`,
  );

interface Case {
  name: string;
  from?: SyncState;
  events: SyncEvent[];
  status: SyncState['status'];
  phase: SyncState['phase'];
  effects: string[];
  message?: RegExp;
  running?: string | undefined;
  pending?: string | undefined;
  synced?: string;
}

const cases: Case[] = [
  {
    name: 'a webhook starts a sync: Fetching, Syncing',
    events: [{ type: 'requested', trigger: hook(A) }],
    status: 'Syncing',
    phase: 'Fetching',
    effects: ['start a'],
    running: A,
  },
  {
    name: 'fetch → validate → apply → Completed, Synced',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'fetched', commit: A },
      { type: 'validated', changed: 1 },
      { type: 'applied' },
    ],
    status: 'Synced',
    phase: 'Completed',
    effects: ['start a', 'finish success a'],
    message: /synced aaaaaaa/,
    synced: A,
  },
  {
    name: 'phases in order: Validating after the fetch',
    events: [
      { type: 'requested', trigger: manual },
      { type: 'fetched', commit: B },
    ],
    status: 'Syncing',
    phase: 'Validating',
    effects: ['start head'],
    running: B,
  },
  {
    name: 'phases in order: Applying once valid, with the count of changed members',
    events: [
      { type: 'requested', trigger: manual },
      { type: 'fetched', commit: B },
      { type: 'validated', changed: 3 },
    ],
    status: 'Syncing',
    phase: 'Applying',
    effects: ['start head'],
    message: /applying 3 changed members of bbbbbbb/,
  },
  {
    name: 'an invalid commit ends in Error at Validating: nothing applied',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'fetched', commit: A },
      { type: 'invalid', errorCount: 3 },
    ],
    status: 'Error',
    phase: 'Validating',
    effects: ['start a', 'finish failed a'],
    message: /does not validate \(3 errors\): nothing applied/,
  },
  {
    name: 'a failed fetch ends in Error at Fetching',
    events: [
      { type: 'requested', trigger: manual },
      { type: 'fetchFailed', message: 'repository not found' },
    ],
    status: 'Error',
    phase: 'Fetching',
    effects: ['start head', 'finish failed -'],
    message: /fetch failed: repository not found/,
  },
  {
    name: 'two triggers while one runs coalesce into one pending sync of the newest',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'requested', trigger: hook(B) },
      { type: 'requested', trigger: hook(C) },
    ],
    status: 'Syncing',
    phase: 'Fetching',
    effects: ['start a'],
    running: A,
    pending: C,
  },
  {
    name: 'the pending sync starts when the running one ends',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'requested', trigger: hook(B) },
      { type: 'requested', trigger: hook(C) },
      { type: 'fetched', commit: A },
      { type: 'validated', changed: 1 },
      { type: 'applied' },
    ],
    status: 'Syncing',
    phase: 'Fetching',
    effects: ['start a', 'finish success a', 'start c'],
    running: C,
    pending: undefined,
    synced: A,
  },
  {
    name: 'a pending trigger for the commit the fetch found is dropped',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'requested', trigger: hook(B) },
      { type: 'fetched', commit: B },
      { type: 'validated', changed: 0 },
      { type: 'applied' },
    ],
    status: 'Synced',
    phase: 'Completed',
    effects: ['start a', 'finish success b'],
    pending: undefined,
    synced: B,
  },
  {
    name: 'a trigger for the commit being synced changes nothing',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'fetched', commit: A },
      { type: 'requested', trigger: poll(A) },
    ],
    status: 'Syncing',
    phase: 'Validating',
    effects: ['start a'],
    pending: undefined,
  },
  {
    name: 'a poll for the commit last synced changes nothing',
    from: { ...IDLE, syncedCommit: A, lastCommit: A },
    events: [{ type: 'requested', trigger: poll(A) }],
    status: 'Synced',
    phase: null,
    effects: [],
  },
  {
    name: 'Sync Now runs even when nothing moved',
    from: { ...IDLE, syncedCommit: A, lastCommit: A },
    events: [{ type: 'requested', trigger: manual }],
    status: 'Syncing',
    phase: 'Fetching',
    effects: ['start head'],
  },
  {
    name: 'a failed apply is retried with backoff; the retry count is kept',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'fetched', commit: A },
      { type: 'validated', changed: 1 },
      { type: 'applyFailed', message: 'agent offline' },
      { type: 'applyFailed', message: 'agent offline' },
    ],
    status: 'Syncing',
    phase: 'Applying',
    effects: ['start a', 'retry 1 1000', 'retry 2 2000'],
    message: /retry 2 of 2 in 2 s/,
  },
  {
    name: 'retries exhausted: Error',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'fetched', commit: A },
      { type: 'validated', changed: 1 },
      { type: 'applyFailed', message: 'x' },
      { type: 'applyFailed', message: 'x' },
      { type: 'applyFailed', message: 'x' },
    ],
    status: 'Error',
    phase: 'Applying',
    effects: ['start a', 'retry 1 1000', 'retry 2 2000', 'finish failed a'],
    message: /retries exhausted: 2 of 2/,
  },
  {
    name: 'a retry succeeds: Synced',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'fetched', commit: A },
      { type: 'validated', changed: 1 },
      { type: 'applyFailed', message: 'x' },
      { type: 'applied' },
    ],
    status: 'Synced',
    phase: 'Completed',
    effects: ['start a', 'retry 1 1000', 'finish success a'],
  },
  {
    name: 'a newer commit waiting supersedes the retries',
    events: [
      { type: 'requested', trigger: hook(A) },
      { type: 'fetched', commit: A },
      { type: 'validated', changed: 1 },
      { type: 'requested', trigger: hook(B) },
      { type: 'applyFailed', message: 'x' },
    ],
    status: 'Syncing',
    phase: 'Fetching',
    effects: ['start a', 'finish failed a', 'start b'],
    running: B,
  },
  {
    name: 'NotConfigured ignores every trigger',
    from: NOT_CONFIGURED('the definition has no spec.git_repository'),
    events: [{ type: 'requested', trigger: manual }],
    status: 'NotConfigured',
    phase: null,
    effects: [],
  },
  {
    name: 'events without a running sync change nothing',
    events: [{ type: 'fetched', commit: A }, { type: 'applied' }, { type: 'applyFailed', message: 'x' }],
    status: 'Synced',
    phase: null,
    effects: [],
  },
];

describe('the sync state machine', () => {
  it.each(cases)('$name', (c) => {
    const { state, effects } = run(c.from ?? IDLE, c.events);
    expect(state.status).toBe(c.status);
    expect(state.phase).toBe(c.phase);
    expect(kinds(effects)).toEqual(c.effects);
    if (c.message) expect(state.message).toMatch(c.message);
    if ('running' in c) expect(state.running?.commit).toBe(c.running);
    if ('pending' in c) expect(state.pending?.commit).toBe(c.pending);
    if (c.synced) expect(state.syncedCommit).toBe(c.synced);
  });

  it('keeps the retry count on the running sync and in the finish effect', () => {
    const { state, effects } = run(IDLE, [
      { type: 'requested', trigger: hook(A) },
      { type: 'fetched', commit: A },
      { type: 'validated', changed: 1 },
      { type: 'applyFailed', message: 'x' },
    ]);
    expect(state.running?.retryCount).toBe(1);
    const end = run(state, [{ type: 'applied' }]).effects.find((e) => e.kind === 'finish');
    expect(end).toMatchObject({ outcome: 'success', retryCount: 1, commit: A });
    expect(effects.filter((e) => e.kind === 'finish')).toEqual([]);
  });
});
