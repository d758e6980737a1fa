import { afterEach, describe, expect, it } from 'vitest';
import { CheckInWriter } from '../src/clusters/checkInWriter.ts';
import { operationsFixture } from './support/operationsFixture.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const report = (n: number, more: { region?: string | null; public_ip?: string } = {}) => ({
  agent_version: `0.${n}.0`,
  kubernetes_version: 'v1.35.4',
  node_count: n,
  ...more,
});

describe('check-ins in batches', { timeout: 120_000 }, () => {
  it('writes the check-ins of a moment in one statement; each answers its own cluster; unknown, deleted or other-organisation clusters answer nothing', async () => {
    const f = await operationsFixture(3);
    closers.push(() => f.db.destroy());
    const [a, b, gone] = f.clusterIds as [string, string, string];
    await f.db
      .updateTable('clusters')
      .set({ deleted_at: new Date(), region: 'eu-west-1' })
      .where('id', '=', gone)
      .execute();
    await f.db
      .updateTable('clusters')
      .set({ region: 'us-east-1', public_ip: '203.0.113.9' })
      .where('id', '=', b)
      .execute();
    let statements = 0;
    const counted = f.db.withPlugin({
      transformQuery: (q) => {
        statements++;
        return q.node;
      },
      transformResult: async (r) => r.result,
    });
    const w = new CheckInWriter(counted, { flushMs: 100 });
    const org = f.orgId;
    const at = new Date('2026-11-30T04:00:00Z');
    const answers = await Promise.all([
      w.record(
        { kind: 'agent', clusterId: a, organizationId: org },
        report(1, { region: 'eu-central-1', public_ip: '198.51.100.7' }),
        at,
      ),
      w.record({ kind: 'agent', clusterId: b, organizationId: org }, report(2), at),
      w.record({ kind: 'agent', clusterId: gone, organizationId: org }, report(3), at),
      w.record({ kind: 'agent', clusterId: 'no-such-cluster', organizationId: org }, report(4), at),
      w.record({ kind: 'agent', clusterId: a, organizationId: 'another-org' }, report(5), at),
    ]);
    expect(statements).toBe(1);
    expect(answers.map((r) => r?.id)).toEqual([a, b, undefined, undefined, undefined]);
    expect(answers[0]?.last_check_in?.toISOString()).toBe(at.toISOString());
    const rows = await f.db
      .selectFrom('clusters')
      .select([
        'id',
        'agent_version',
        'node_count',
        'region',
        'public_ip',
        'agent_connected',
        'last_check_in',
      ])
      .where('id', 'in', [a, b, gone])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(a)).toMatchObject({
      agent_version: '0.1.0',
      node_count: 1,
      region: 'eu-central-1',
      public_ip: '198.51.100.7',
      agent_connected: true,
    });
    // not reported: the stored region and address stay
    expect(byId.get(b)).toMatchObject({
      agent_version: '0.2.0',
      node_count: 2,
      region: 'us-east-1',
      public_ip: '203.0.113.9',
    });
    expect(byId.get(gone)).toMatchObject({ agent_version: null, last_check_in: null });
  });

  it('a region reported as null clears it; a failed write fails every check-in of its batch', async () => {
    const f = await operationsFixture(1);
    const [a] = f.clusterIds as [string];
    await f.db.updateTable('clusters').set({ region: 'us-east-1' }).where('id', '=', a).execute();
    const w = new CheckInWriter(f.db, { flushMs: 10 });
    const principal = { kind: 'agent' as const, clusterId: a, organizationId: f.orgId };
    expect((await w.record(principal, report(1, { region: null }), new Date()))?.id).toBe(a);
    const row = await f.db
      .selectFrom('clusters')
      .select('region')
      .where('id', '=', a)
      .executeTakeFirstOrThrow();
    expect(row.region).toBeNull();
    await f.db.destroy();
    await expect(w.record(principal, report(2), new Date())).rejects.toThrow();
  });
});
