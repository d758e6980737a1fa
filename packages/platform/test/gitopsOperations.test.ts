import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyRequest } from '../src/gitops/dispatcher.ts';
import { OperationsApplyDispatcher } from '../src/gitops/operationsDispatcher.ts';
import { operationsFixture } from './support/operationsFixture.ts';

// The apply hand-off through the real operations service and the in-process bus: the
// command the agent takes, and the sync's outcome from the agent's result.

type Fixture = Awaited<ReturnType<typeof operationsFixture>>;
let f: Fixture;
let dispatcher: OperationsApplyDispatcher;
beforeAll(async () => {
  f = await operationsFixture(0);
  dispatcher = new OperationsApplyDispatcher({ operations: f.operations, db: f.db, pollMs: 10 });
}, 60_000);
afterAll(async () => {
  await f?.close();
});

const request = (clusterId: string): ApplyRequest => ({
  organizationId: f.orgId,
  clusterId,
  syncId: 'sync-1',
  attempt: 0,
  commit: 'a'.repeat(40),
  path: 'clusters/alpha/cluster.yaml',
  files: { 'clusters/alpha/cluster.yaml': 'kind: ImportCluster\n' },
  changed: ['addon/podinfo'],
  removed: ['addon/old'],
  hashes: { 'addon/podinfo': 'h' },
});

async function agentAnswers(clusterId: string, ok: boolean) {
  const rc = await f.bus.commands(clusterId).next({ timeoutMs: 5000 });
  if (!rc) throw new Error('no command reached the agent');
  await rc.ack();
  await f.operations.handleResult(clusterId, {
    command_id: rc.command.id,
    cluster_id: clusterId,
    idempotency_key: rc.command.idempotency_key,
    kind: 'apply',
    ok,
    outcome: ok ? 'ok' : 'failed',
    message: ok ? 'applied clusters/alpha/cluster.yaml: 2 members' : 'addon/podinfo failed: timed out',
    finished_at: new Date().toISOString(),
    duration_seconds: 1,
  });
  return rc.command;
}

describe('applies through the operations service', () => {
  it('a sync operation whose apply command carries the files and path; success from the agent’s result', async () => {
    const c = await f.newCluster();
    const pending = dispatcher.apply(request(c));
    const command = await agentAnswers(c, true);
    expect(command).toMatchObject({
      kind: 'apply',
      cluster_id: c,
      payload: {
        path: 'clusters/alpha/cluster.yaml',
        files: { 'clusters/alpha/cluster.yaml': 'kind: ImportCluster\n' },
      },
    });
    expect(Object.keys(command.payload).sort()).toEqual(['files', 'path']);
    const outcome = await pending;
    expect(outcome).toMatchObject({ ok: true, operationId: expect.any(String) });
    const op = await f.operations.get(f.principal, outcome.operationId!);
    expect(op).toMatchObject({
      type: 'sync',
      state: 'success',
      created_by: 'gitops',
      payload: {
        sync_id: 'sync-1',
        commit: 'a'.repeat(40),
        changed: ['addon/podinfo'],
        removed: ['addon/old'],
      },
    });
  });

  it('a failed result is a failed apply with the operation’s message', async () => {
    const c = await f.newCluster();
    const pending = dispatcher.apply(request(c));
    await agentAnswers(c, false);
    const outcome = await pending;
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/podinfo failed/);
  });

  it('closing ends a wait at once; the operation goes on', async () => {
    const c = await f.newCluster();
    const own = new OperationsApplyDispatcher({ operations: f.operations, db: f.db, pollMs: 10_000 });
    const pending = own.apply(request(c));
    await new Promise((r) => setTimeout(r, 200));
    own.close();
    const outcome = await pending;
    expect(outcome).toMatchObject({ ok: false, message: expect.stringMatching(/stopping/) });
  });
});
