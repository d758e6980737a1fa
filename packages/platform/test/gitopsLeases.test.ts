import { describe, expect, it } from 'vitest';
import { SyncLeases } from '../src/gitops/leases.ts';
import { operationsFixture } from './support/operationsFixture.ts';

describe('sync leases', { timeout: 120_000 }, () => {
  it('one holder per cluster; the holder renews; another takes it once released or expired', async () => {
    const f = await operationsFixture(2);
    try {
      const [c1, c2] = f.clusterIds as [string, string];
      const a = new SyncLeases({ db: f.db, holder: 'replica-a', ttlMs: 60_000 });
      const b = new SyncLeases({ db: f.db, holder: 'replica-b', ttlMs: 60_000, retryMs: 10 });
      expect(await a.tryAcquire(c1)).toBe(true);
      expect(await a.tryAcquire(c1)).toBe(true);
      expect(await b.tryAcquire(c1)).toBe(false);
      expect(await b.tryAcquire(c2)).toBe(true);
      expect(await a.holderOf(c1)).toBe('replica-a');

      // b waits for c1 until a releases it
      const held = await a.acquire(c1);
      let bHas = false;
      const waiting = b.acquire(c1).then((l) => {
        bHas = true;
        return l;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(bHas).toBe(false);
      await held?.release();
      const bLease = await waiting;
      expect(await b.holderOf(c1)).toBe('replica-b');
      await bLease?.release();
      expect(await b.holderOf(c1)).toBeUndefined();

      // an expired lease is free for anyone; a cancelled wait gives up
      const short = new SyncLeases({ db: f.db, holder: 'replica-dead', ttlMs: 200 });
      expect(await short.tryAcquire(c1)).toBe(true);
      expect(await a.tryAcquire(c1)).toBe(false);
      await new Promise((r) => setTimeout(r, 400));
      expect(await a.tryAcquire(c1)).toBe(true);
      expect(await b.acquire(c1, () => true)).toBeUndefined();
    } finally {
      await f.close();
    }
  });
});
