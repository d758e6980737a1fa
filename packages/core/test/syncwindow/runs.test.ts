import { describe, expect, it } from 'vitest';
import { fireInstant, nextRun, parseCronExpression, previousRun } from '../../src/syncwindow/index.ts';

/** All fire instants of a schedule on the calendar days [from, to], by brute force. */
function allFires(expr: string, tz: string, from: [number, number, number], days: number): number[] {
  const s = parseCronExpression(expr);
  const out = new Set<number>();
  for (let d = 0; d < days; d++) {
    const day = new Date(Date.UTC(from[0], from[1] - 1, from[2] + d));
    const [y, m, dd, wd] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), day.getUTCDay()];
    if (!s.months.has(m)) continue;
    const domOk = s.daysOfMonth.has(dd);
    const dowOk = s.daysOfWeek.has(wd);
    if (!(s.domRestricted && s.dowRestricted ? domOk || dowOk : domOk && dowOk)) continue;
    for (const h of s.hours) for (const min of s.minutes) out.add(fireInstant(y, m, dd, h, min, tz));
  }
  return [...out].sort((a, b) => a - b);
}

const SCENARIOS: [string, string, [number, number, number]][] = [
  ['*/20 * * * *', 'Europe/Berlin', [2026, 3, 28]],
  ['*/20 * * * *', 'Europe/Berlin', [2026, 10, 24]],
  ['30 2 * * *', 'Europe/Berlin', [2026, 3, 27]],
  ['30 2 * * *', 'Europe/Berlin', [2026, 10, 23]],
  ['15 1,2,3 * * *', 'America/New_York', [2026, 3, 7]],
  ['15 1,2,3 * * *', 'America/New_York', [2026, 10, 31]],
  ['0 0 * * *', 'America/Santiago', [2026, 4, 3]],
  ['*/30 * * * *', 'Australia/Lord_Howe', [2026, 4, 4]],
];

describe('previousRun / nextRun agree with a brute-force enumeration around DST changes', () => {
  it.each(SCENARIOS)('%s in %s from %j', (expr, tz, from) => {
    const fires = allFires(expr, tz, from, 4);
    const s = parseCronExpression(expr);
    const first = fires[0] as number;
    const last = fires[fires.length - 1] as number;
    for (let now = first; now < last; now += 7 * 60_000 + 13_000) {
      const prev = fires.filter((f) => f <= now).at(-1);
      const next = fires.find((f) => f > now);
      expect(previousRun(s, tz, now), new Date(now).toISOString()).toBe(prev);
      expect(nextRun(s, tz, now), new Date(now).toISOString()).toBe(next);
    }
  });
});
