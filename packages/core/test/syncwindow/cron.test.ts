import { describe, expect, it } from 'vitest';
import {
  CronExpressionError,
  DurationError,
  formatDurationMs,
  nextRun,
  parseCronExpression,
  parseDurationMs,
  previousRun,
  resolveLocal,
} from '../../src/syncwindow/index.ts';

describe('parseDurationMs', () => {
  it.each([
    ['4h', 14_400_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['2d', 172_800_000],
    ['1d12h', 129_600_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['0', 0],
    [30, 30_000],
    [{ seconds: 60 }, 60_000],
  ] as const)('%s', (input, ms) => expect(parseDurationMs(input)).toBe(ms));

  it.each(['', 'h', '4', '4x', '-1h', '1h 30m', 'four hours'])('rejects %j', (input) => {
    expect(() => parseDurationMs(input)).toThrow(DurationError);
  });

  it('formats back', () => {
    expect(formatDurationMs(5_400_000)).toBe('1h30m');
    expect(formatDurationMs(129_600_000)).toBe('1d12h');
  });
});

describe('parseCronExpression', () => {
  it('expands lists, ranges, steps and names', () => {
    const s = parseCronExpression('*/15 9-17/4 1,15 JAN-MAR mon-fri');
    expect(s.minutes).toEqual([0, 15, 30, 45]);
    expect(s.hours).toEqual([9, 13, 17]);
    expect([...s.daysOfMonth]).toEqual([1, 15]);
    expect([...s.months]).toEqual([1, 2, 3]);
    expect([...s.daysOfWeek].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('treats 7 as Sunday and supports macros', () => {
    expect([...parseCronExpression('0 0 * * 7').daysOfWeek]).toEqual([0]);
    expect(parseCronExpression('@hourly').minutes).toEqual([0]);
    expect(parseCronExpression('@weekly').daysOfWeek.has(0)).toBe(true);
  });

  it.each([
    '* * * * * *',
    '60 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * * 13 *',
    '*/0 * * * *',
    '5-1 * * * *',
    '@often',
    'a b c d e',
  ])('rejects %j', (expr) => expect(() => parseCronExpression(expr)).toThrow(CronExpressionError));

  it('day-of-month and day-of-week are OR-ed when both are restricted (Vixie cron)', () => {
    const s = parseCronExpression('0 0 13 * 5'); // the 13th, or any Friday
    const after = Date.UTC(2026, 1, 1); // Sun 2026-02-01
    expect(new Date(nextRun(s, 'UTC', after) as number).toISOString()).toBe('2026-02-06T00:00:00.000Z'); // Friday
    const s2 = parseCronExpression('0 0 13 * *');
    expect(new Date(nextRun(s2, 'UTC', after) as number).toISOString()).toBe('2026-02-13T00:00:00.000Z');
  });

  it('finds 29 February across years', () => {
    const s = parseCronExpression('0 12 29 2 *');
    expect(new Date(nextRun(s, 'UTC', Date.UTC(2026, 0, 1)) as number).toISOString()).toBe(
      '2028-02-29T12:00:00.000Z',
    );
    expect(new Date(previousRun(s, 'UTC', Date.UTC(2026, 0, 1)) as number).toISOString()).toBe(
      '2024-02-29T12:00:00.000Z',
    );
  });
});

describe('resolveLocal', () => {
  it('a normal time has one instant', () => {
    expect(resolveLocal(2026, 6, 1, 12, 0, 'Europe/Berlin')).toEqual({
      kind: 'exists',
      instants: [Date.UTC(2026, 5, 1, 10)],
    });
  });
  it('a skipped time resolves to the jump', () => {
    expect(resolveLocal(2026, 3, 29, 2, 30, 'Europe/Berlin')).toEqual({
      kind: 'gap',
      instant: Date.UTC(2026, 2, 29, 1),
    });
  });
  it('a repeated time has two instants, earliest first', () => {
    expect(resolveLocal(2026, 10, 25, 2, 30, 'Europe/Berlin')).toEqual({
      kind: 'exists',
      instants: [Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 9, 25, 1, 30)],
    });
  });
});
