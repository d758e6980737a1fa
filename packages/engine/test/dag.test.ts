import { describe, expect, it } from 'vitest';
import { runDag } from '../src/dag.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runDag', () => {
  it('starts a child only after all its parents succeeded', async () => {
    const order: string[] = [];
    const nodes = [
      { id: 'a', deps: [], value: 20 },
      { id: 'b', deps: [], value: 5 },
      { id: 'c', deps: ['a', 'b'], value: 1 },
    ];
    const res = await runDag(nodes, {
      concurrency: 4,
      run: async (n) => {
        order.push(`start:${n.id}`);
        await sleep(n.value);
        order.push(`end:${n.id}`);
        return n.id;
      },
    });
    expect(order.indexOf('start:c')).toBeGreaterThan(order.indexOf('end:a'));
    expect(order.indexOf('start:c')).toBeGreaterThan(order.indexOf('end:b'));
    expect(res.get('c')).toEqual({ outcome: 'succeeded', result: 'c' });
  });

  it('blocks every descendant of a failure and nothing else', async () => {
    const nodes = [
      { id: 'a', deps: [], value: 0 },
      { id: 'b', deps: ['a'], value: 0 },
      { id: 'c', deps: ['b'], value: 0 },
      { id: 'd', deps: [], value: 0 },
    ];
    const res = await runDag(nodes, {
      concurrency: 2,
      run: async (n) => {
        if (n.id === 'a') throw new Error('boom');
        return n.id;
      },
    });
    expect(res.get('a')?.outcome).toBe('failed');
    expect(res.get('b')).toEqual({ outcome: 'blocked', blockedBy: 'a' });
    expect(res.get('c')).toEqual({ outcome: 'blocked', blockedBy: 'a' });
    expect(res.get('d')?.outcome).toBe('succeeded');
  });

  it('never runs more than the concurrency limit at once', async () => {
    let now = 0;
    let peak = 0;
    const nodes = Array.from({ length: 20 }, (_, i) => ({ id: `n${i}`, deps: [], value: i }));
    await runDag(nodes, {
      concurrency: 3,
      run: async () => {
        now++;
        peak = Math.max(peak, now);
        await sleep(2);
        now--;
      },
    });
    expect(peak).toBe(3);
  });

  it('rejects an edge to an unknown node', async () => {
    await expect(
      runDag([{ id: 'a', deps: ['x'], value: 0 }], { concurrency: 1, run: async () => 0 }),
    ).rejects.toThrow(/unknown node x/);
  });
});
