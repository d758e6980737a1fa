import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { applyChanges } from '../../src/addons/feed.ts';
import { changesFromHeartbeat, changesFromResult } from '../../src/addons/readModel.ts';
import type { Harness } from './harness.ts';

/** A definition with two add-ons (one with SOPS-encrypted values) and a manifest. */
function definition(name: string) {
  return {
    definition: `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  helm_registries:
    - name: charts
      url: https://charts.example.test
  stacks:
    - name: base
      manifests:
        - name: ns
          manifest: |
            apiVersion: v1
            kind: Namespace
            metadata:
              name: apps
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: "6.7.1"
          registry_name: charts
          namespace: apps
          encrypted_paths:
            - auth.password
          configuration:
            values: |
              replicaCount: 2
              auth:
                user: admin
                password: hunter2
              token: ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]
        - name: redis
          chart_name: redis
          chart_version: "1.0.0"
          registry_name: charts
          namespace: data
`,
  };
}

/** The add-ons read model and routes, inside the API suite (PGlite and PostgreSQL). */
export function addonsApiTests(harness: () => Harness): void {
  const cluster = async (h: Harness) => {
    const res = await h.request({
      method: 'POST',
      url: '/api/v1/clusters',
      token: h.tokens.admin,
      payload: definition(`addons-${randomUUID().slice(0, 8)}`),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().cluster.id as string;
  };

  it('lists the definition’s add-ons and manifests with the states the agent reported, sorted and paged', async () => {
    const h = harness();
    const id = await cluster(h);
    const before = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${id}/addons`,
      token: h.tokens.viewer,
    });
    expect(before.statusCode).toBe(200);
    expect(before.json().items.map((a: { name: string; state: string }) => [a.name, a.state])).toEqual([
      ['podinfo', 'Pending'],
      ['redis', 'Pending'],
    ]);

    await applyChanges(
      h.db,
      id,
      changesFromResult({
        kind: 'apply',
        finished_at: '2026-03-01T12:00:00.000Z',
        apply: {
          members: [
            {
              kind: 'manifest',
              name: 'ns',
              stack: 'base',
              phase: 'applied',
              state: 'Synced',
              message: 'applied',
            },
            {
              kind: 'addon',
              name: 'podinfo',
              stack: 'base',
              phase: 'deployed',
              state: 'Synced',
              message: 'ok',
              revision: 3,
            },
            {
              kind: 'addon',
              name: 'redis',
              stack: 'base',
              phase: 'failed',
              state: 'Degraded',
              message: 'timed out',
            },
          ],
          removed: [],
        },
      }),
    );
    await applyChanges(h.db, id, changesFromHeartbeat({ last_sweep_at: '2026-03-01T12:01:00.000Z' }));

    const list = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${id}/addons?sort=-state&page_size=1`,
      token: h.tokens.viewer,
    });
    expect(list.statusCode).toBe(200);
    const page = list.json();
    expect(page).toMatchObject({ total: 2, page: 1, page_size: 1 });
    expect(page.items[0]).toEqual({
      name: 'podinfo',
      kind: 'addon',
      chart: 'podinfo',
      version: '6.7.1',
      namespace: 'apps',
      stack: 'base',
      state: 'Synced',
      health: 'Healthy',
      engine: 'native',
      revision: 3,
      drifted_objects: 0,
      drift: [],
      message: 'ok',
      last_updated: '2026-03-01T12:00:00.000Z',
      last_inspected: '2026-03-01T12:01:00.000Z',
      in_definition: true,
    });
    const second = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${id}/addons?sort=-state&page_size=1&page=2`,
      token: h.tokens.viewer,
    });
    expect(second.json().items[0]).toMatchObject({ name: 'redis', state: 'Degraded', health: 'Degraded' });

    const manifests = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${id}/manifests`,
      token: h.tokens.viewer,
    });
    expect(manifests.json().items).toEqual([
      expect.objectContaining({ name: 'ns', kind: 'manifest', state: 'Synced' }),
    ]);

    const bad = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${id}/addons?sort=secret`,
      token: h.tokens.viewer,
    });
    expect(bad.statusCode).toBe(400);
    const other = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${randomUUID()}/addons`,
      token: h.tokens.viewer,
    });
    expect(other.statusCode).toBe(404);
  });

  it('lists the stacks in deploy order with each member’s parents, DAG layer and state', async () => {
    const h = harness();
    const id = await cluster(h);
    await applyChanges(
      h.db,
      id,
      changesFromResult({
        kind: 'apply',
        finished_at: '2026-03-01T12:00:00.000Z',
        apply: {
          members: [
            { kind: 'manifest', name: 'ns', stack: 'base', phase: 'applied', state: 'Synced', message: '' },
          ],
          removed: [],
        },
      }),
    );
    const res = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${id}/stacks`,
      token: h.tokens.viewer,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.member_count).toBe(3);
    expect(body.waves).toHaveLength(1);
    expect(body.waves[0].wave).toBeNull();
    const stack = body.waves[0].stacks[0];
    expect(stack).toMatchObject({ name: 'base', deploy_wave: null, applications: [] });
    expect(
      stack.members.map((m: { id: string; layer: number; state: string; parents: string[] }) => [
        m.id,
        m.layer,
        m.state,
        m.parents,
      ]),
    ).toEqual([
      ['manifest/ns', 0, 'Synced', []],
      ['addon/podinfo', 0, 'Pending', []],
      ['addon/redis', 0, 'Pending', []],
    ]);
    const other = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${randomUUID()}/stacks`,
      token: h.tokens.viewer,
    });
    expect(other.statusCode).toBe(404);
  });

  it('shows one add-on with masked values; history, events and tree are null with the reason when the agent does not answer', async () => {
    const h = harness();
    const id = await cluster(h);
    const res = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${id}/addons/podinfo`,
      token: h.tokens.viewer,
    });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    expect(d.values).toEqual({ replicaCount: 2, auth: { user: 'admin', password: '***' }, token: '***' });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('AES256_GCM');
    expect(d.encrypted_paths).toEqual(['auth.password']);
    expect(d.history).toBeNull();
    expect(d.tree).toBeNull();
    expect(d.live_errors).toHaveLength(3);
    const missing = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${id}/addons/nope`,
      token: h.tokens.viewer,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('starts sync, rollback and uninstall as operations (operator and above)', async () => {
    const h = harness();
    const id = await cluster(h);
    const sync = await h.request({
      method: 'POST',
      url: `/api/v1/clusters/${id}/addons/podinfo/sync`,
      token: h.tokens.operator,
    });
    expect(sync.statusCode, sync.body).toBe(202);
    expect(sync.json()).toMatchObject({ type: 'sync', cluster_id: id });
    expect(sync.json().steps[0]).toMatchObject({ kind: 'apply' });

    const rollback = await h.request({
      method: 'POST',
      url: `/api/v1/clusters/${id}/addons/podinfo/rollback`,
      token: h.tokens.operator,
      payload: { revision: 2 },
    });
    expect(rollback.statusCode, rollback.body).toBe(202);
    expect(rollback.json()).toMatchObject({ type: 'rollback' });
    expect(rollback.json().steps[0]).toMatchObject({ kind: 'rollback' });

    const uninstall = await h.request({
      method: 'POST',
      url: `/api/v1/clusters/${id}/addons/redis/uninstall`,
      token: h.tokens.operator,
    });
    expect(uninstall.statusCode, uninstall.body).toBe(202);
    expect(uninstall.json().steps[0]).toMatchObject({ kind: 'uninstall' });

    const noRevision = await h.request({
      method: 'POST',
      url: `/api/v1/clusters/${id}/addons/podinfo/rollback`,
      token: h.tokens.operator,
      payload: {},
    });
    expect(noRevision.statusCode).toBe(400);
  });
}
