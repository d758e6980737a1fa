import { describe, expect, it } from 'vitest';
import {
  CronExpressionError,
  type CronSchedule,
  DurationError,
  formatDurationMs,
  nextRun,
  parseCronExpression,
  parseDurationMs,
  previousRun,
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

/** The next `n` fire times after `from`, as ISO strings. */
function runsAfter(s: CronSchedule, tz: string, from: string, n: number): string[] {
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = nextRun(s, tz, t);
    if (next === undefined) break;
    out.push(new Date(next).toISOString());
    t = next;
  }
  return out;
}

describe('parseCronExpression', () => {
  it('expands lists, ranges, steps and names (day fields OR-ed)', () => {
    const s = parseCronExpression('*/15 9-17/4 1,15 JAN-MAR mon-fri');
    // Thu 2026-01-01: every 15 minutes of hours 9, 13 and 17.
    expect(runsAfter(s, 'UTC', '2026-01-01T00:00:00Z', 13)).toEqual([
      ...[9, 13, 17].flatMap((h) =>
        [0, 15, 30, 45].map(
          (m) => `2026-01-01T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000Z`,
        ),
      ),
      '2026-01-02T09:00:00.000Z', // Friday
    ]);
    // Sat 2026-01-03 and Sun 01-04 are skipped (weekend, not the 1st or 15th); no runs in April.
    expect(runsAfter(s, 'UTC', '2026-01-02T17:45:00Z', 1)).toEqual(['2026-01-05T09:00:00.000Z']);
    expect(runsAfter(s, 'UTC', '2026-03-31T17:45:00Z', 1)).toEqual(['2027-01-01T09:00:00.000Z']);
  });

  it('treats 7 as Sunday and supports nicknames in any case', () => {
    expect(runsAfter(parseCronExpression('0 0 * * 7'), 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-04T00:00:00.000Z', // Sunday
    ]);
    expect(runsAfter(parseCronExpression('@hourly'), 'UTC', '2026-01-01T00:30:00Z', 2)).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ]);
    expect(runsAfter(parseCronExpression('@WEEKLY'), 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-04T00:00:00.000Z',
    ]);
  });

  it('accepts a numeric start with a step ("5/10"), as the definition validator does', () => {
    expect(runsAfter(parseCronExpression('5/10 * * * *'), 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:15:00.000Z',
    ]);
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
    '@reboot',
    'a b c d e',
    '',
  ])('rejects %j', (expr) => expect(() => parseCronExpression(expr)).toThrow(CronExpressionError));

  it('the error names the expression, the reason and the expected fields', () => {
    expect(() => parseCronExpression('61 * * * *')).toThrow(
      /^invalid cron expression "61 \* \* \* \*": .*minute.*\(expected 5 fields: minute 0-59/,
    );
    expect(() => parseCronExpression('* * * * * *')).toThrow(/requires exactly 5 parts/);
  });

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

  it('a schedule that never fires (31 February) has no previous or next run', () => {
    const s = parseCronExpression('0 0 31 2 *');
    expect(nextRun(s, 'UTC', Date.UTC(2026, 0, 1))).toBeUndefined();
    expect(previousRun(s, 'UTC', Date.UTC(2026, 0, 1))).toBeUndefined();
  });
});

describe('previousRun is inclusive, nextRun exclusive, at millisecond precision', () => {
  const s = parseCronExpression('0 22 * * *');
  const at = Date.UTC(2026, 4, 2, 22);
  it.each([
    ['1 ms before', at - 1, Date.UTC(2026, 4, 1, 22), at],
    ['exactly at', at, at, Date.UTC(2026, 4, 3, 22)],
    ['1 ms after', at + 1, at, Date.UTC(2026, 4, 3, 22)],
    ['999 ms after', at + 999, at, Date.UTC(2026, 4, 3, 22)],
  ])('%s a run', (_name, now, prev, next) => {
    expect(previousRun(s, 'UTC', now)).toBe(prev);
    expect(nextRun(s, 'UTC', now)).toBe(next);
  });
});

describe('fixed-time schedules across DST (Europe/Berlin 2026)', () => {
  const s = parseCronExpression('30 2 * * *');
  it('a skipped time (spring forward 02:00→03:00) fires when the clock jumps', () => {
    expect(nextRun(s, 'Europe/Berlin', Date.UTC(2026, 2, 28, 12))).toBe(Date.UTC(2026, 2, 29, 1));
  });
  it('a repeated time (fall back 03:00→02:00) fires once, at the first occurrence', () => {
    const first = Date.UTC(2026, 9, 25, 0, 30); // 02:30 CEST
    expect(nextRun(s, 'Europe/Berlin', Date.UTC(2026, 9, 24, 12))).toBe(first);
    expect(nextRun(s, 'Europe/Berlin', first)).toBe(Date.UTC(2026, 9, 26, 1, 30)); // not 02:30 CET
    expect(previousRun(s, 'Europe/Berlin', Date.UTC(2026, 9, 25, 1, 45))).toBe(first);
  });
});
