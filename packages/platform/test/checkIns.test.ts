import { afterEach, describe, expect, it } from 'vitest';
import { CheckInWriter } from '../src/clusters/checkInWriter.ts';
import { countingStatements } from './support/countStatements.ts';
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
  it('writes the check-ins of a moment in one statement; each answers its own cluster; a token that is no live cluster’s current one answers nothing', async () => {
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
    const tokens = new Map(
      (await f.db.selectFrom('clusters').select(['id', 'agent_token_hash']).execute()).map((r) => [
        r.id,
        r.agent_token_hash!,
      ]),
    );
    const agent = (id: string) => ({ kind: 'agent' as const, tokenHash: tokens.get(id) ?? id });
    const { db: counted, statements } = countingStatements(f.db);
    const w = new CheckInWriter(counted, { flushMs: 100 });
    const at = new Date('2026-11-30T04:00:00Z');
    const answers = await Promise.all([
      w.record(agent(a), report(1, { region: 'eu-central-1', public_ip: '198.51.100.7' }), at),
      w.record(agent(b), report(2), at),
      w.record(agent(gone), report(3), at),
      w.record(agent('no-such-token'), report(4), at),
    ]);
    expect(statements()).toBe(1);
    expect(answers.map((r) => r?.id)).toEqual([a, b, undefined, undefined]);
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
    // a replaced token is refused by the next check-in's statement itself
    await f.db.updateTable('clusters').set({ agent_token_hash: 'new-hash' }).where('id', '=', a).execute();
    expect(await w.record(agent(a), report(6), new Date('2026-11-30T04:01:00Z'))).toBeUndefined();
    const still = await f.db
      .selectFrom('clusters')
      .select('last_check_in')
      .where('id', '=', a)
      .executeTakeFirstOrThrow();
    expect(still.last_check_in?.toISOString()).toBe(at.toISOString());
  });

  it('a region reported as null clears it; a failed write fails every check-in of its batch', async () => {
    const f = await operationsFixture(1);
    const [a] = f.clusterIds as [string];
    await f.db.updateTable('clusters').set({ region: 'us-east-1' }).where('id', '=', a).execute();
    const w = new CheckInWriter(f.db, { flushMs: 10 });
    const { agent_token_hash } = await f.db
      .selectFrom('clusters')
      .select('agent_token_hash')
      .where('id', '=', a)
      .executeTakeFirstOrThrow();
    const principal = { kind: 'agent' as const, tokenHash: agent_token_hash! };
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
