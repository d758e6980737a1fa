import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { hashSecret } from '../../src/auth/secrets.ts';
import type { Harness } from './harness.ts';

async function importCluster(h: Harness, name: string): Promise<{ id: string }> {
  const res = await h.request({
    method: 'POST',
    url: '/api/v1/clusters',
    token: h.tokens.admin,
    payload: {
      definition: `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks: []\n`,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().cluster;
}

/** Access grants, kube tokens and the /k8s route without an agent (the API suite runs them on both databases). */
export function grantsApiTests(harness: () => Harness): void {
  it('an admin sets, lists, replaces and removes grants; cluster-admin is cluster-wide only', async () => {
    const h = harness();
    const c = await importCluster(h, `grants-${randomUUID().slice(0, 8)}`);
    const url = `/api/v1/clusters/${c.id}/grants/${h.userIds.viewer}`;
    const put = await h.request({
      method: 'PUT',
      url,
      token: h.tokens.admin,
      payload: { role: 'edit', namespace: 'shop' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      user_id: h.userIds.viewer,
      username: 'viewer-user',
      role: 'edit',
      namespace: 'shop',
    });
    const again = await h.request({ method: 'PUT', url, token: h.tokens.admin, payload: { role: 'view' } });
    expect(again.json()).toMatchObject({ role: 'view', namespace: null });
    const list = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${c.id}/grants`,
      token: h.tokens.admin,
    });
    expect(list.json().items.map((g: { username: string; role: string }) => [g.username, g.role])).toEqual([
      ['viewer-user', 'view'],
    ]);
    const bad = await h.request({
      method: 'PUT',
      url,
      token: h.tokens.admin,
      payload: { role: 'cluster-admin', namespace: 'shop' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/cluster-admin/);
    const noUser = await h.request({
      method: 'PUT',
      url: `/api/v1/clusters/${c.id}/grants/${randomUUID()}`,
      token: h.tokens.admin,
      payload: { role: 'view' },
    });
    expect(noUser.statusCode).toBe(404);
    expect((await h.request({ method: 'DELETE', url, token: h.tokens.admin })).statusCode).toBe(204);
    expect((await h.request({ method: 'DELETE', url, token: h.tokens.admin })).statusCode).toBe(404);
  });

  it('a kube token is a 15-minute read token; the /k8s route answers Kubernetes Status documents', async () => {
    const h = harness();
    const c = await importCluster(h, `kube-${randomUUID().slice(0, 8)}`);
    const t = await h.request({
      method: 'POST',
      url: `/api/v1/clusters/${c.id}/kube-token`,
      token: h.tokens.viewer,
      payload: {},
    });
    expect(t.statusCode, t.body).toBe(200);
    const { token, expires_at } = t.json();
    // against the platform's clock (earlier tests of the suite move it forward)
    const now = h.now().getTime();
    expect(new Date(expires_at).getTime() - now).toBeGreaterThan(14 * 60_000);
    expect(new Date(expires_at).getTime() - now).toBeLessThanOrEqual(15 * 60_000);
    const row = await h.db
      .selectFrom('tokens')
      .selectAll()
      .where('token_hash', '=', hashSecret(token))
      .executeTakeFirstOrThrow();
    expect([row.scopes, row.name]).toEqual(['read', expect.stringMatching(/^kube:kube-/)]);
    // no grant: Forbidden as kubectl prints it
    const denied = await h.request({ method: 'GET', url: `/api/v1/clusters/${c.id}/k8s/api/v1/pods`, token });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect(denied.json().message).toContain('user "mooring:viewer-user" has no access to cluster');
    // a grant, but no agent connected: 503 as a Status
    await h.request({
      method: 'PUT',
      url: `/api/v1/clusters/${c.id}/grants/${h.userIds.viewer}`,
      token: h.tokens.admin,
      payload: { role: 'view' },
    });
    const offline = await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${c.id}/k8s/api/v1/pods`,
      token,
    });
    expect(offline.statusCode).toBe(503);
    expect(offline.json()).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
  });
}
