import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../src/errors.ts';
import { operationsPageQuery } from '../src/operations/queries.ts';
import { operationsFixture } from './support/operationsFixture.ts';

type Fixture = Awaited<ReturnType<typeof operationsFixture>>;
let f: Fixture;
let c: string;
let other: string;
beforeAll(async () => {
  f = await operationsFixture(0);
}, 60_000);
afterAll(async () => {
  await f?.close();
});
// each test has clusters of its own (their command queues start empty)
beforeEach(async () => {
  c = await f.newCluster();
  other = await f.newCluster();
  f.finished.length = 0;
});

/** The next command on a cluster's queue, acked. */
async function take(clusterId: string) {
  const rc = await f.bus.commands(clusterId).next({ timeoutMs: 1000 });
  if (!rc) throw new Error('no command');
  await rc.ack();
  return rc.command;
}

const result = (clusterId: string, key: string, commandId: string, ok = true, extra = {}) => ({
  command_id: commandId,
  cluster_id: clusterId,
  idempotency_key: key,
  kind: 'apply',
  ok,
  outcome: ok ? 'ok' : 'failed',
  message: ok ? 'applied' : 'podinfo failed',
  finished_at: new Date().toISOString(),
  duration_seconds: 1,
  ...extra,
});

describe('OperationsService', () => {
  it('start sends the first step with its idempotency key; results advance the steps to success', async () => {
    const op = await f.operations.start({
      clusterId: c,
      type: 'apply',
      steps: [
        { name: 'apply', kind: 'apply', payload: { path: 'cluster.yaml', files: {} } },
        { name: 'sweep', kind: 'sweep' },
      ],
      createdBy: 'u1',
    });
    expect(op.state).toBe('running');
    expect(op.steps.map((s) => s.state)).toEqual(['running', 'pending']);
    const first = await take(c);
    expect(first).toMatchObject({
      kind: 'apply',
      cluster_id: c,
      idempotency_key: `${op.id}:1-apply`,
      payload: { path: 'cluster.yaml', files: {} },
    });
    const members = { apply: { members: [{ id: 'base/podinfo', phase: 'deployed' }] } };
    await f.operations.handleResult(c, result(c, first.idempotency_key!, first.id, true, members));
    const second = await take(c);
    expect(second).toMatchObject({ kind: 'sweep', idempotency_key: `${op.id}:2-sweep` });
    await f.operations.handleResult(c, result(c, second.idempotency_key!, second.id));
    const done = await f.operations.get(f.principal, op.id);
    expect(done.state).toBe('success');
    expect(done.finished_at).not.toBeNull();
    expect(done.steps.map((s) => [s.state, s.sends])).toEqual([
      ['success', 1],
      ['success', 1],
    ]);
    expect(done.steps[0]?.result).toMatchObject(members);
    expect(f.finished).toEqual([{ type: 'apply', state: 'success' }]);
  });

  it('a failed result fails the operation, keeps the per-member outcome and cancels the rest', async () => {
    const op = await f.operations.start({
      clusterId: c,
      type: 'sync',
      steps: [
        { name: 'apply', kind: 'apply' },
        { name: 'sweep', kind: 'sweep' },
      ],
      createdBy: 'u1',
    });
    const cmd = await take(c);
    await f.operations.handleResult(
      c,
      result(c, cmd.idempotency_key!, cmd.id, false, {
        apply: { members: [{ id: 'base/podinfo', phase: 'failed' }] },
      }),
    );
    const done = await f.operations.get(f.principal, op.id);
    expect(done.state).toBe('failed');
    expect(done.message).toBe('podinfo failed');
    expect(done.steps.map((s) => s.state)).toEqual(['failed', 'cancelled']);
    expect(done.steps[0]?.result).toMatchObject({ apply: { members: [{ phase: 'failed' }] } });
    // a repeat of the same result (at-least-once) changes nothing
    const again = await f.operations.handleResult(c, result(c, cmd.idempotency_key!, cmd.id, true));
    expect(again.ignored).toMatch(/already/);
    expect((await f.operations.get(f.principal, op.id)).state).toBe('failed');
  });

  it('a result published by another cluster for this step is ignored', async () => {
    const [a, b] = [c, other];
    const op = await f.operations.start({
      clusterId: a,
      type: 'sweep',
      steps: [{ name: 'sweep', kind: 'sweep' }],
      createdBy: 'u1',
    });
    const cmd = await take(a);
    const r = await f.operations.handleResult(b, result(b, cmd.idempotency_key!, cmd.id));
    expect(r.ignored).toMatch(/another cluster/);
    expect((await f.operations.get(f.principal, op.id)).state).toBe('running');
  });

  it('a step running longer than its timeout ends in timeout', async () => {
    const op = await f.operations.start({
      clusterId: c,
      type: 'sweep',
      steps: [{ name: 'sweep', kind: 'sweep', timeoutSeconds: 30 }],
      createdBy: 'u1',
    });
    f.advance(29);
    expect(await f.operations.checkTimeouts()).toEqual([]);
    f.advance(2);
    expect(await f.operations.checkTimeouts()).toEqual([op.id]);
    const done = await f.operations.get(f.principal, op.id);
    expect(done.state).toBe('timeout');
    expect(done.steps[0]?.state).toBe('timeout');
    expect(f.finished).toEqual([{ type: 'sweep', state: 'timeout' }]);
  });

  it('resume re-sends a running step with the same idempotency key and a new command id', async () => {
    const op = await f.operations.start({
      clusterId: c,
      type: 'sweep',
      steps: [{ name: 'sweep', kind: 'sweep' }],
      createdBy: 'u1',
    });
    const first = await take(c);
    expect(await f.operations.resumeAll()).toBeGreaterThanOrEqual(1);
    const again = await take(c);
    expect(again.idempotency_key).toBe(first.idempotency_key);
    expect(again.id).not.toBe(first.id);
    const detail = await f.operations.get(f.principal, op.id);
    expect(detail.steps[0]?.sends).toBe(2);
    // the answer to the first send (the agent's kept result) finishes it
    await f.operations.handleResult(c, result(c, first.idempotency_key!, first.id));
    expect((await f.operations.get(f.principal, op.id)).state).toBe('success');
  });

  it('cancel ends a running operation; its late result is ignored; retry makes a new one', async () => {
    const op = await f.operations.start({
      clusterId: c,
      type: 'rollback',
      steps: [{ name: 'apply', kind: 'apply', payload: { x: 1 } }],
      createdBy: 'u1',
    });
    const cmd = await take(c);
    const cancelled = await f.operations.cancel(f.principal, op.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.steps[0]?.state).toBe('cancelled');
    await expect(f.operations.cancel(f.principal, op.id)).rejects.toBeInstanceOf(ConflictError);
    const late = await f.operations.handleResult(c, result(c, cmd.idempotency_key!, cmd.id));
    expect(late.ignored).toBeDefined();
    const retry = await f.operations.retry(f.principal, op.id);
    expect(retry).toMatchObject({ type: 'rollback', state: 'running', retry_of: op.id, created_by: 'u1' });
    const next = await take(c);
    expect(next.idempotency_key).toBe(`${retry.id}:1-apply`);
    expect(next.payload).toEqual({ x: 1 });
    await expect(f.operations.retry(f.principal, retry.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('lists with filters, sort and pagination; another organisation sees nothing', async () => {
    const [a, b] = [c, other];
    for (const [cluster, type] of [
      [a, 'sweep'],
      [a, 'apply'],
      [b, 'sweep'],
    ] as const) {
      await f.operations.start({
        clusterId: cluster,
        type,
        steps: [{ name: 's', kind: type }],
        createdBy: 'u1',
      });
      f.advance(1);
    }
    const page = { page: 1, pageSize: 1, sort: { field: 'created_at' as const, direction: 'desc' as const } };
    const ofA = await f.operations.list(f.principal, { clusterId: a }, page);
    expect(ofA.total).toBe(2);
    expect(ofA.items.map((o) => o.type)).toEqual(['apply']);
    const second = await f.operations.list(f.principal, { clusterId: a }, { ...page, page: 2 });
    expect(second.items.map((o) => o.type)).toEqual(['sweep']);
    const asc = { ...page, pageSize: 5, sort: { field: 'created_at' as const, direction: 'asc' as const } };
    expect((await f.operations.list(f.principal, { clusterId: a }, asc)).items.map((o) => o.type)).toEqual([
      'sweep',
      'apply',
    ]);
    expect((await f.operations.list(f.principal, { clusterId: b, type: 'sweep' }, page)).total).toBe(1);
    expect((await f.operations.list(f.principal, { clusterId: a, type: 'sweep' }, page)).total).toBe(1);
    expect((await f.operations.list(f.principal, { clusterId: a, state: 'running' }, page)).total).toBe(2);
    expect((await f.operations.list(f.principal, { clusterId: a, state: 'success' }, page)).total).toBe(0);
    const stranger = { ...f.principal, organizationId: 'elsewhere' };
    expect((await f.operations.list(stranger, {}, page)).total).toBe(0);
    await expect(f.operations.get(stranger, ofA.items[0]!.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('counts a list up to 10,000 (then total_capped); the newest first reads the index, not every row', async () => {
    await sql`insert into operations (id, organization_id, cluster_id, type, state, created_by, created_at, updated_at)
      select 'bulk-' || g, ${f.principal.organizationId}, ${c}, 'sweep', 'success', 'scheduler@test',
        now() - g * interval '1 second', now()
      from generate_series(1, 10001) g`.execute(f.db);
    const page = { page: 1, pageSize: 3, sort: { field: 'created_at' as const, direction: 'desc' as const } };
    const all = await f.operations.list(f.principal, { clusterId: c }, page);
    expect(all.total).toBe(10_000);
    expect(all.total_capped).toBe(true);
    expect(all.items.map((o) => o.id)).toEqual(['bulk-1', 'bulk-2', 'bulk-3']);
    await sql`delete from operations where id = 'bulk-1'`.execute(f.db);
    const exact = await f.operations.list(f.principal, { clusterId: c }, page);
    expect(exact.total).toBe(10_000);
    expect(exact.total_capped).toBeUndefined();
    const query = operationsPageQuery(f.db, f.principal.organizationId, {}, page).compile();
    const plan = await f.db.executeQuery<{ 'QUERY PLAN': string }>({
      ...query,
      sql: `explain ${query.sql}`,
    });
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
      /Index Scan Backward using operations_org_created/,
    );
    await sql`delete from operations where id like 'bulk-%'`.execute(f.db);
  }, 60_000);

  it('start on an unknown or deleted cluster stores nothing and answers 404', async () => {
    await f.db.updateTable('clusters').set({ deleted_at: new Date() }).where('id', '=', other).execute();
    for (const clusterId of ['no-such-cluster', other]) {
      await expect(
        f.operations.start({
          clusterId,
          type: 'apply',
          steps: [{ name: 'apply', kind: 'apply' }],
          createdBy: 'u1',
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
    const stored = await f.db
      .selectFrom('operations')
      .select('id')
      .where('cluster_id', 'in', ['no-such-cluster', other])
      .execute();
    expect(stored).toEqual([]);
  });

  it('a command that could not be sent (bus down) is sent again at the next check, with the same key', async () => {
    const queue = f.bus.commands(c);
    const send = queue.send.bind(queue);
    let down = true;
    const original = f.bus.commands.bind(f.bus);
    f.bus.commands = (id: string) => {
      const q = original(id);
      if (id !== c) return q;
      return Object.assign(Object.create(q), {
        send: async (cmd: Parameters<typeof send>[0]) => {
          if (down) throw new Error('bus down');
          return q.send(cmd);
        },
      });
    };
    try {
      const op = await f.operations.start({
        clusterId: c,
        type: 'sweep',
        steps: [{ name: 'sweep', kind: 'sweep' }],
        createdBy: 'u1',
      });
      expect(await f.bus.commands(c).next({ timeoutMs: 1000 })).toBeNull();
      down = false;
      await f.operations.checkTimeouts();
      const cmd = await take(c);
      expect(cmd.idempotency_key).toBe(`${op.id}:1-sweep`);
      expect((await f.operations.get(f.principal, op.id)).steps[0]?.sends).toBe(2);
      // sent once more only when it failed
      await f.operations.checkTimeouts();
      expect(await f.bus.commands(c).next({ timeoutMs: 1000 })).toBeNull();
    } finally {
      f.bus.commands = original;
    }
  });
});
