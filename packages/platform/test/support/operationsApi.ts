import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { recordHeartbeats } from '../../src/heartbeats/queries.ts';
import { pruneHistory } from '../../src/retention.ts';
import { validDefinition } from './fixtures.ts';
import type { Harness } from './harness.ts';

/**
 * The operations routes and `/metrics`, inside the API suite (PGlite and PostgreSQL).
 * Operations are started through the service, as other parts of the platform do.
 */
export function operationsApiTests(harness: () => Harness): void {
  const cluster = async (h: Harness) => {
    const res = await h.request({
      method: 'POST',
      url: '/api/v1/clusters',
      token: h.tokens.admin,
      payload: validDefinition(`ops-${randomUUID().slice(0, 8)}`),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().cluster.id as string;
  };
  const result = (clusterId: string, key: string, ok: boolean) => ({
    command_id: `${key}:send-1`,
    cluster_id: clusterId,
    idempotency_key: key,
    kind: 'apply',
    ok,
    outcome: ok ? 'ok' : 'failed',
    message: ok ? 'applied' : 'podinfo did not deploy',
    apply: { members: [{ id: 'base/podinfo', phase: ok ? 'deployed' : 'failed' }] },
  });

  it('lists operations with filters, sort and pagination; one with its steps and results', async () => {
    const h = harness();
    const a = await cluster(h);
    const b = await cluster(h);
    const ops = h.server.services.operations;
    const sweep = await ops.start({
      clusterId: a,
      type: 'sweep',
      steps: [{ name: 'sweep', kind: 'sweep' }],
      createdBy: 'scheduler@test',
    });
    h.advance(1);
    const apply = await ops.start({
      clusterId: a,
      type: 'apply',
      steps: [
        { name: 'apply', kind: 'apply', payload: { path: 'cluster.yaml', files: {} } },
        { name: 'sweep', kind: 'sweep' },
      ],
      createdBy: h.userIds.operator,
    });
    h.advance(1);
    await ops.start({
      clusterId: b,
      type: 'sweep',
      steps: [{ name: 'sweep', kind: 'sweep' }],
      createdBy: 'scheduler@test',
    });
    await ops.handleResult(a, result(a, apply.steps[0]!.idempotency_key, false));

    const list = async (query: string) => {
      const res = await h.request({
        method: 'GET',
        url: `/api/v1/operations?${query}`,
        token: h.tokens.viewer,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as {
        items: { id: string; type: string; state: string }[];
        total: number;
        page_size: number;
      };
    };
    // each cluster's import is an operation too (the oldest)
    const ofA = await list(`cluster_id=${a}`);
    expect(ofA.total).toBe(3);
    expect(ofA.items.map((o) => o.type)).toEqual(['apply', 'sweep', 'import']);
    expect(ofA.items.slice(0, 2).map((o) => o.id)).toEqual([apply.id, sweep.id]); // newest first
    expect((await list(`cluster_id=${a}&sort=created_at`)).items.slice(1).map((o) => o.id)).toEqual([
      sweep.id,
      apply.id,
    ]);
    expect((await list(`cluster_id=${a}&page_size=1&page=2`)).items.map((o) => o.id)).toEqual([sweep.id]);
    expect((await list(`cluster_id=${a}&type=apply`)).items.map((o) => o.state)).toEqual(['failed']);
    expect((await list(`cluster_id=${b}&type=sweep&state=running`)).total).toBe(1);
    expect((await list(`cluster_id=${b}&state=failed`)).total).toBe(0);
    for (const bad of ['sort=password', 'state=done', 'page_size=1000']) {
      const res = await h.request({
        method: 'GET',
        url: `/api/v1/operations?${bad}`,
        token: h.tokens.viewer,
      });
      expect(res.statusCode, bad).toBe(400);
    }

    const one = await h.request({
      method: 'GET',
      url: `/api/v1/operations/${apply.id}`,
      token: h.tokens.viewer,
    });
    expect(one.statusCode).toBe(200);
    const detail = one.json();
    expect(detail).toMatchObject({
      id: apply.id,
      cluster_id: a,
      type: 'apply',
      state: 'failed',
      message: 'podinfo did not deploy',
    });
    expect(detail.steps.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['apply', 'failed'],
      ['sweep', 'cancelled'],
    ]);
    expect(detail.steps[0].result.apply.members[0]).toEqual({ id: 'base/podinfo', phase: 'failed' });
    expect(detail.steps[0].idempotency_key).toBe(`${apply.id}:${detail.steps[0].id}`);
    const missing = await h.request({
      method: 'GET',
      url: `/api/v1/operations/${randomUUID()}`,
      token: h.tokens.viewer,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('an operator retries a failed operation and cancels a running one; finished ones answer 409', async () => {
    const h = harness();
    const a = await cluster(h);
    const ops = h.server.services.operations;
    const failed = await ops.start({
      clusterId: a,
      type: 'rollback',
      steps: [{ name: 'apply', kind: 'apply' }],
      createdBy: 'x',
    });
    await ops.handleResult(a, result(a, failed.steps[0]!.idempotency_key, false));

    const retry = await h.request({
      method: 'POST',
      url: `/api/v1/operations/${failed.id}/retry`,
      token: h.tokens.operator,
    });
    expect(retry.statusCode, retry.body).toBe(201);
    const again = retry.json();
    expect(again).toMatchObject({
      type: 'rollback',
      state: 'running',
      retry_of: failed.id,
      created_by: h.userIds.operator,
    });
    expect(again.steps[0]).toMatchObject({ state: 'running', sends: 1 });

    const cancel = await h.request({
      method: 'POST',
      url: `/api/v1/operations/${again.id}/cancel`,
      token: h.tokens.operator,
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json()).toMatchObject({ state: 'cancelled', steps: [{ state: 'cancelled' }] });

    const twice = await h.request({
      method: 'POST',
      url: `/api/v1/operations/${again.id}/cancel`,
      token: h.tokens.operator,
    });
    expect(twice.statusCode).toBe(409);
    const ok = await ops.start({
      clusterId: a,
      type: 'sweep',
      steps: [{ name: 'sweep', kind: 'sweep' }],
      createdBy: 'x',
    });
    await ops.handleResult(a, result(a, ok.steps[0]!.idempotency_key, true));
    const retryOk = await h.request({
      method: 'POST',
      url: `/api/v1/operations/${ok.id}/retry`,
      token: h.tokens.operator,
    });
    expect(retryOk.statusCode).toBe(409);
    expect(retryOk.json().error.code).toBe('conflict');
    const viewer = await h.request({
      method: 'POST',
      url: `/api/v1/operations/${failed.id}/retry`,
      token: h.tokens.viewer,
    });
    expect(viewer.statusCode).toBe(403);
  });

  it('GET /metrics: cluster online and reconcile lag per cluster, operations by type and result, HTTP latency by route', async () => {
    const h = harness();
    const a = await cluster(h);
    const ops = h.server.services.operations;
    const op = await ops.start({
      clusterId: a,
      type: 'uninstall',
      steps: [{ name: 'apply', kind: 'apply' }],
      createdBy: 'x',
    });
    await ops.handleResult(a, result(a, op.steps[0]!.idempotency_key, true));
    await h.request({ method: 'GET', url: `/api/v1/operations/${op.id}`, token: h.tokens.viewer });
    const res = await h.request({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain(`mooring_cluster_online{cluster_id="${a}"} 0`);
    expect(text).toContain(`mooring_native_engine_reconcile_loop_lag_seconds{cluster_id="${a}"} +Inf`);
    expect(text).toMatch(/mooring_operations_total\{type="uninstall",result="success"\} 1/);
    expect(text).toMatch(
      /mooring_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/operations\/:id",status="200"\} [1-9]/,
    );
  });

  it('GET /clusters/:id/heartbeats: the history paged and sorted, the latest with its reconcile lag; pruning by age', async () => {
    const h = harness();
    const a = await cluster(h);
    const url = `/api/v1/clusters/${a}/heartbeats`;
    const none = await h.request({ method: 'GET', url, token: h.tokens.viewer });
    expect(none.statusCode, none.body).toBe(200);
    expect(none.json()).toEqual({ items: [], page: 1, page_size: 20, total: 0, latest: null });

    const now = h.now();
    const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000);
    // three heartbeats, one received two days ago
    await recordHeartbeats(h.db, [
      { heartbeat: hb(a, at(2 * 86_400 + 5), 0.5), receivedAt: at(2 * 86_400) },
      { heartbeat: hb(a, at(125), 2.5), receivedAt: at(120) },
      { heartbeat: hb(a, at(65), 1.5), receivedAt: at(60) },
    ]);
    const res = await h.request({ method: 'GET', url: `${url}?page_size=2`, token: h.tokens.viewer });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.total).toBe(3);
    expect(body.items.map((i: { received_at: string }) => i.received_at)).toEqual([
      at(60).toISOString(),
      at(120).toISOString(),
    ]);
    expect(body.latest).toMatchObject({ last_sweep_at: at(65).toISOString(), sweep_duration_seconds: 1.5 });
    expect(body.latest.reconcile_lag_seconds).toBeGreaterThanOrEqual(65);
    expect(body.latest.reconcile_lag_seconds).toBeLessThan(65 + 60);
    const byDuration = await h.request({
      method: 'GET',
      url: `${url}?sort=-sweep_duration_seconds`,
      token: h.tokens.viewer,
    });
    expect(
      byDuration.json().items.map((i: { sweep_duration_seconds: number }) => i.sweep_duration_seconds),
    ).toEqual([2.5, 1.5, 0.5]);
    const bad = await h.request({ method: 'GET', url: `${url}?sort=addons`, token: h.tokens.viewer });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('sort');
    const missing = await h.request({
      method: 'GET',
      url: '/api/v1/clusters/no-such-cluster/heartbeats',
      token: h.tokens.viewer,
    });
    expect(missing.statusCode).toBe(404);

    // retention: 24 h of heartbeats; finished sweeps 6 h (running ones stay)
    const ops = h.server.services.operations;
    const finished = await ops.start({
      clusterId: a,
      type: 'sweep',
      steps: [{ name: 'sweep', kind: 'sweep' }],
      createdBy: 'x',
    });
    await ops.handleResult(a, { ...result(a, finished.steps[0]!.idempotency_key, true), kind: 'sweep' });
    const running = await ops.start({
      clusterId: a,
      type: 'sweep',
      steps: [{ name: 'sweep', kind: 'sweep' }],
      createdBy: 'x',
    });
    const kept = await pruneHistory(h.db, { heartbeatHours: 24, sweepHours: 6 }, h.now());
    expect(kept).toEqual({ heartbeats: 1, sweeps: 0 });
    const later = new Date(h.now().getTime() + 7 * 3_600_000);
    // other tests of the suite may have left finished sweeps too: this one is among those pruned
    const pruned = await pruneHistory(h.db, { heartbeatHours: 24 * 365, sweepHours: 6 }, later);
    expect(pruned.heartbeats).toBe(0);
    expect(pruned.sweeps).toBeGreaterThanOrEqual(1);
    const gone = await h.request({
      method: 'GET',
      url: `/api/v1/operations/${finished.id}`,
      token: h.tokens.viewer,
    });
    expect(gone.statusCode).toBe(404);
    const still = await h.request({
      method: 'GET',
      url: `/api/v1/operations/${running.id}`,
      token: h.tokens.viewer,
    });
    expect(still.statusCode).toBe(200);
    const after = await h.request({ method: 'GET', url, token: h.tokens.viewer });
    expect(after.json().total).toBe(2);

    // the event loop delay is in /metrics
    const metrics = (await h.request({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^mooring_event_loop_delay_seconds\{quantile="0.99"\} [0-9.e-]+$/m);
  });
}

const hb = (cluster_id: string, lastSweepAt: Date, duration: number) =>
  ({
    cluster_id,
    last_sweep_at: lastSweepAt.toISOString(),
    sweep_duration_seconds: duration,
    addons_inspected: 2,
  }) as Parameters<typeof recordHeartbeats>[1][number]['heartbeat'];
