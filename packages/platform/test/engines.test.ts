import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.ts';

// A cluster's engines through the API on the embedded database: where each add-on's engine
// comes from, the cluster default, and the decommission's health check and one-way default.
// (Migrations against a real agent and Argo CD: packages/engine/test/argocdMigration.int.test.ts.)
let h: Harness;
let token: string;
let clusterId: string;

const definition = `apiVersion: v1
kind: ImportCluster
metadata:
  name: engines-c
spec:
  stacks:
    - name: apps
      addons:
        - name: named
          chart_name: podinfo
          chart_version: "6.7.1"
          repository_url: https://charts.example
          namespace: apps
          settings:
            engine: argo_cd
        - name: unnamed
          chart_name: podinfo
          chart_version: "6.7.1"
          repository_url: https://charts.example
          namespace: apps
`;

beforeAll(async () => {
  h = await createHarness({ target: { kind: 'pglite' } }, { MOORING_DEFAULT_REGISTRIES: 'false' });
  token = h.tokens.admin;
  const r = await h.request({
    method: 'POST',
    url: '/api/v1/clusters',
    token,
    payload: { definition, files: {} },
  });
  expect(r.statusCode, r.body).toBe(201);
  clusterId = r.json().cluster.id;
}, 120_000);
afterAll(() => h?.close());

const engines = async () =>
  (await h.request({ method: 'GET', url: `/api/v1/clusters/${clusterId}/engines`, token })).json();

describe('engines of a cluster', () => {
  it('each add-on’s engine: the file’s, else the cluster default (native for a new cluster, changeable)', async () => {
    const e = await engines();
    expect(e).toMatchObject({ default_engine: 'native', decommissioned_at: null, argocd_connected: false });
    expect(
      e.addons.map((a: { name: string; engine: string; source: string }) => [a.name, a.engine, a.source]),
    ).toEqual([
      ['named', 'argocd', 'file'],
      ['unnamed', 'native', 'default'],
    ]);
    const set = await h.request({
      method: 'PUT',
      url: `/api/v1/clusters/${clusterId}/engines/default`,
      token,
      payload: { engine: 'argo_cd' },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().addons[1]).toMatchObject({ name: 'unnamed', engine: 'argocd', source: 'default' });
    const viewer = await h.request({
      method: 'PUT',
      url: `/api/v1/clusters/${clusterId}/engines/default`,
      token: h.tokens.viewer,
      payload: { engine: 'native' },
    });
    expect(viewer.statusCode).toBe(403);
    const bad = await h.request({
      method: 'PUT',
      url: `/api/v1/clusters/${clusterId}/engines/default`,
      token,
      payload: { engine: 'flux' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/engine/);
  });

  it('decommission: refused without Argo CD, refused while an add-on is Degraded, then one way', async () => {
    const url = `/api/v1/clusters/${clusterId}/argocd/decommission`;
    expect((await h.request({ method: 'POST', url, token })).json().error.message).toMatch(/not connected/);
    // every add-on on native already (as after a migration), Argo CD connected, one add-on Degraded
    await h.db
      .withTables<{ addon_engines: { cluster_id: string; addon: string; engine: string } }>()
      .insertInto('addon_engines')
      .values([
        { cluster_id: clusterId, addon: 'named', engine: 'native' },
        { cluster_id: clusterId, addon: 'unnamed', engine: 'native' },
      ])
      .execute();
    await h.db
      .withTables<{ cluster_argocd: Record<string, string> }>()
      .insertInto('cluster_argocd')
      .values({
        cluster_id: clusterId,
        organization_id: (
          await h.db.selectFrom('clusters').select('organization_id').executeTakeFirstOrThrow()
        ).organization_id,
        url: 'http://argocd.example',
        namespace: 'argocd',
        deletion: 'foreground',
        account: 'mooring',
        token_sealed: 'v1:not-a-real-token',
        token_id: 'tok-1',
      })
      .execute();
    const addons = h.db;
    await addons
      .insertInto('addon_states')
      .values([
        {
          cluster_id: clusterId,
          kind: 'addon',
          name: 'named',
          stack: 'apps',
          state: 'Synced',
          message: '',
          updated_at: new Date(),
        },
        {
          cluster_id: clusterId,
          kind: 'addon',
          name: 'unnamed',
          stack: 'apps',
          state: 'Degraded',
          message: 'health Degraded',
          updated_at: new Date(),
        },
      ])
      .execute();
    expect((await engines()).decommission_offered).toBe(true);
    const refused = await h.request({ method: 'POST', url, token });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(
      /not decommissioned: an add-on is not healthy: unnamed \(health Degraded\)/,
    );

    await addons.updateTable('addon_states').set({ state: 'Synced' }).where('name', '=', 'unnamed').execute();
    const done = await h.request({ method: 'POST', url, token });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'decommissioned' });
    // no agent answered: the token could not be revoked, and the answer says how to do it by hand
    expect(done.json().message).toMatch(/token not revoked .*delete token tok-1 of account mooring/);
    expect(done.json().manual_cleanup.join('\n')).toMatch(/accounts\.mooring[\s\S]*policy\.csv/);
    expect(
      (await h.request({ method: 'GET', url: `/api/v1/clusters/${clusterId}/argocd`, token })).statusCode,
    ).toBe(404);
    const e = await engines();
    expect(e.decommissioned_at).not.toBeNull();
    expect(e.default_engine).toBe('native');
    const back = await h.request({
      method: 'PUT',
      url: `/api/v1/clusters/${clusterId}/engines/default`,
      token,
      payload: { engine: 'argocd' },
    });
    expect(back.statusCode).toBe(409);
    const rb = await h.request({
      method: 'POST',
      url: `/api/v1/clusters/${clusterId}/addons/named/engine/rollback`,
      token,
    });
    expect(rb.statusCode).toBe(409);
    expect((await h.request({ method: 'POST', url, token })).statusCode).toBe(409);
  });
});
