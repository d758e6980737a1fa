import { describe, expect, it } from 'vitest';
import { Semaphore } from '../src/semaphore.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Semaphore', () => {
  it('lets at most `limit` run at once and the rest wait in order', async () => {
    const s = new Semaphore(2);
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const gates = new Map<string, () => void>();
    const job = (id: string) =>
      s.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(`start ${id}`);
        await new Promise<void>((r) => gates.set(id, r));
        running--;
        order.push(`end ${id}`);
      });
    const all = ['a', 'b', 'c', 'd'].map(job);
    await tick();
    expect([s.active, s.waiting]).toEqual([2, 2]);
    gates.get('b')?.();
    await tick();
    await tick();
    expect(order).toEqual(['start a', 'start b', 'end b', 'start c']);
    gates.get('a')?.();
    await tick();
    await tick();
    gates.get('c')?.();
    await tick();
    await tick();
    gates.get('d')?.();
    await Promise.all(all);
    expect(peak).toBe(2);
    expect([s.active, s.waiting]).toEqual([0, 0]);
    expect(order.filter((x) => x.startsWith('start'))).toEqual(['start a', 'start b', 'start c', 'start d']);
  });

  it('gives the slot back when the job throws, and a double release is harmless', async () => {
    const s = new Semaphore(1);
    await expect(s.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(s.active).toBe(0);
    const release = await s.acquire();
    release();
    release();
    expect(s.active).toBe(0);
    await expect(s.run(() => 42)).resolves.toBe(42);
  });

  it('refuses a limit below 1', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
  });
});
