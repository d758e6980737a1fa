import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { startHeapCompactor } from '../src/heapCompactor.ts';
import { silentLogger } from '../src/logger.ts';

const MiB = 1048576;
const oldSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_size;

describe('startHeapCompactor', () => {
  it('compacts once the heap grew by the threshold and stopped growing, and not before', () => {
    let size = 100 * MiB;
    let compactions = 0;
    const c = startHeapCompactor({
      logger: silentLogger(),
      intervalMs: 3_600_000,
      heapSize: () => size,
      compact: () => {
        compactions++;
        size = 104 * MiB;
      },
    });
    try {
      size = 105 * MiB;
      expect(c.check()).toBe(false); // grew, but less than 8 MiB
      size = 112 * MiB;
      expect(c.check()).toBe(false); // still growing: the burst is not over
      expect(c.check()).toBe(true); // settled 12 MiB above the base
      expect([compactions, size]).toEqual([1, 104 * MiB]);
      size = 110 * MiB;
      expect(c.check()).toBe(false); // 6 MiB above the new base
      size = 113 * MiB;
      c.check();
      expect(c.check()).toBe(true);
      expect(compactions).toBe(2);
    } finally {
      c.stop();
    }
  });

  it("gives V8's old space back after garbage left partly filled pages", () => {
    // survivors spread over many pages among garbage that is still reachable (so promoted), then dropped
    const keep: object[] = [];
    let junk: object[] = [];
    for (let i = 0; i < 300_000; i++) {
      const o = { name: `obj-${i}`, data: { index: String(i), note: `a note ${i}` } };
      if (i % 10 === 0) keep.push(o);
      else junk.push(o);
    }
    expect(junk.length).toBe(270_000);
    junk = [];
    const before = oldSpace();
    // the decision is made on a fixed size here; the collection is the real one
    const c = startHeapCompactor({
      logger: silentLogger(),
      intervalMs: 3_600_000,
      growthBytes: 0,
      heapSize: () => 0,
    });
    try {
      expect(c.check()).toBe(true);
    } finally {
      c.stop();
    }
    expect(keep.length).toBe(30_000);
    expect(before).toBeGreaterThan(30 * MiB);
    expect(oldSpace()).toBeLessThan(before - 20 * MiB);
  });
});
