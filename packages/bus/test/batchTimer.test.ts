import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchTimer } from '../src/batchTimer.ts';

describe('BatchTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs what was scheduled in a period together at its end, each once; nothing runs while idle', () => {
    const t = new BatchTimer(25);
    const ran: string[] = [];
    const a = () => ran.push('a');
    const b = () => ran.push('b');
    t.schedule(a);
    vi.advanceTimersByTime(10);
    t.schedule(b);
    t.schedule(a);
    vi.advanceTimersByTime(14);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
    // a new period starts with the next schedule
    t.schedule(b);
    vi.advanceTimersByTime(25);
    expect(ran).toEqual(['a', 'b', 'b']);
  });

  it('cancel takes a callback back; one scheduled from a callback runs in the next period', () => {
    const t = new BatchTimer(10);
    const ran: string[] = [];
    const a = () => ran.push('a');
    const again = () => {
      ran.push('again');
      if (ran.length < 3) t.schedule(again);
    };
    t.schedule(a);
    t.cancel(a);
    t.schedule(again);
    vi.advanceTimersByTime(10);
    expect(ran).toEqual(['again']);
    vi.advanceTimersByTime(10);
    expect(ran).toEqual(['again', 'again']);
  });
});
