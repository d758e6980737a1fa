import { heartbeatSubject } from '@mooring/bus';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startAddonsFeed } from '../src/addons/feed.ts';
import { markInspectedAll, saveObservations } from '../src/addons/queries.ts';
import { countingStatements } from './support/countStatements.ts';
import { operationsFixture } from './support/operationsFixture.ts';

describe('add-ons feed: heartbeats', { timeout: 120_000 }, () => {
  it('records the inspection times of many heartbeats in one statement, never moving one back', async () => {
    const f = await operationsFixture(3);
    try {
      const [a, b, c] = f.clusterIds as [string, string, string];
      for (const id of [a, b, c]) {
        await saveObservations(f.db, id, [
          { kind: 'addon', name: 'podinfo', inspected_at: new Date('2026-11-30T10:00:00Z') },
          { kind: 'manifest', name: 'ns', inspected_at: new Date('2026-11-30T10:00:00Z') },
        ]);
      }
      const { db: counted, statements } = countingStatements(f.db);
      const stop = await startAddonsFeed({
        bus: f.bus,
        db: counted,
        logger: pino({ level: 'silent' }),
        inspectionFlushMs: 200,
      });
      const beat = (id: string, at: string) =>
        f.bus.publish(heartbeatSubject(id), {
          cluster_id: id,
          last_sweep_at: at,
          sweep_duration_seconds: 1,
          addons_inspected: 2,
        });
      await beat(a, '2026-11-30T10:01:00Z');
      await beat(b, '2026-11-30T10:01:05Z');
      await beat(a, '2026-11-30T10:01:30Z');
      await new Promise((r) => setTimeout(r, 600));
      expect(statements()).toBe(1);
      const times = async () =>
        Object.fromEntries(
          (
            await f.db.selectFrom('addon_states').select(['cluster_id', 'name', 'inspected_at']).execute()
          ).map((r) => [
            `${r.cluster_id === a ? 'a' : r.cluster_id === b ? 'b' : 'c'}/${r.name}`,
            r.inspected_at?.toISOString(),
          ]),
        );
      expect(await times()).toEqual({
        'a/podinfo': '2026-11-30T10:01:30.000Z',
        'a/ns': '2026-11-30T10:01:30.000Z',
        'b/podinfo': '2026-11-30T10:01:05.000Z',
        'b/ns': '2026-11-30T10:01:05.000Z',
        'c/podinfo': '2026-11-30T10:00:00.000Z',
        'c/ns': '2026-11-30T10:00:00.000Z',
      });
      // a late, older heartbeat leaves the newer time
      await markInspectedAll(f.db, [{ clusterId: a, at: new Date('2026-11-30T09:00:00Z') }]);
      expect((await times())['a/ns']).toBe('2026-11-30T10:01:30.000Z');
      // stopping writes what is queued
      await beat(b, '2026-11-30T10:02:00Z');
      await stop();
      expect((await times())['b/ns']).toBe('2026-11-30T10:02:00.000Z');
    } finally {
      await f.db.destroy();
    }
  });
});
