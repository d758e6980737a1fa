import { describe, expect, it } from 'vitest';
import { nextRun, parseCronExpression, previousRun } from '../../src/syncwindow/index.ts';

/**
 * A brute-force oracle for croner's results, independent of croner: it walks every real minute,
 * reads the wall clock with Intl, matches it against a hand-written predicate for the expression,
 * and applies the DST rules chosen in src/syncwindow/cron.ts (croner's `fixedTimeRule: 'no-wildcard'`):
 * - fixed-time schedules (no `*`, `?` or step in the minute and hour fields): a repeated wall time
 *   fires once, at its first occurrence; a wall time skipped by a spring-forward fires at the
 *   instant the clock jumps, if that is on the same day;
 * - interval schedules: every real instant whose wall time matches fires (a repeated wall time
 *   fires on both passes; a skipped one does not fire).
 */

type Wall = { year: number; month: number; day: number; hour: number; minute: number; weekday: number };

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function wall(instantMs: number, timeZone: string): Wall {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(instantMs)) {
    if (p.type === 'weekday') out.weekday = WEEKDAYS[p.value] ?? -1;
    else if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out as Wall;
}

/** Wall time as minutes since the epoch, as if the zone were UTC (for ordering wall times). */
const wallMinutes = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) / 60_000;
const fromWallMinutes = (m: number): Wall => {
  const d = new Date(m * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
};

/** All fire instants of a schedule on the calendar days [from, from + days), by brute force. */
function allFires(
  expr: string,
  matches: (w: Wall) => boolean,
  tz: string,
  from: [number, number, number],
  days: number,
): number[] {
  const [minuteField, hourField] = expr.split(' ') as [string, string];
  const fixedTime = !/[*?/]/.test(minuteField + hourField);
  // Start a day early in UTC so that every wall-clock day in range is covered; filter at the end.
  const start = Date.UTC(from[0], from[1] - 1, from[2] - 1);
  const end = Date.UTC(from[0], from[1] - 1, from[2] + days + 1);
  const firstDay = Date.UTC(from[0], from[1] - 1, from[2]) / 60_000;
  const lastDay = firstDay + days * 1440;
  const inRange = (w: Wall) => wallMinutes(w) >= firstDay && wallMinutes(w) < lastDay;
  const out = new Set<number>();
  const seen = new Set<number>();
  let prev = wall(start - 60_000, tz);
  for (let t = start; t < end; t += 60_000) {
    const w = wall(t, tz);
    const wm = wallMinutes(w);
    if (fixedTime) {
      // Wall minutes skipped by a forward jump fire now, if on the same day as the jump's end.
      for (let m = wallMinutes(prev) + 1; m < wm; m++) {
        const skipped = fromWallMinutes(m);
        if (skipped.day === w.day && matches(skipped) && inRange(skipped)) out.add(t);
      }
      if (matches(w) && inRange(w) && !seen.has(wm)) out.add(t);
      seen.add(wm);
    } else if (matches(w) && inRange(w)) {
      out.add(t);
    }
    prev = w;
  }
  return [...out].sort((a, b) => a - b);
}

const SCENARIOS: [string, string, [number, number, number], (w: Wall) => boolean][] = [
  // Europe/Berlin: spring forward 2026-03-29 02:00→03:00, fall back 2026-10-25 03:00→02:00.
  ['*/20 * * * *', 'Europe/Berlin', [2026, 3, 28], (w) => w.minute % 20 === 0],
  ['*/20 * * * *', 'Europe/Berlin', [2026, 10, 24], (w) => w.minute % 20 === 0],
  ['30 2 * * *', 'Europe/Berlin', [2026, 3, 27], (w) => w.hour === 2 && w.minute === 30],
  ['30 2 * * *', 'Europe/Berlin', [2026, 10, 23], (w) => w.hour === 2 && w.minute === 30],
  [
    '0 2 * * SUN,MON',
    'Europe/Berlin',
    [2026, 3, 28],
    (w) => w.hour === 2 && w.minute === 0 && w.weekday <= 1,
  ],
  [
    '0 2 * * SUN,MON',
    'Europe/Berlin',
    [2026, 10, 24],
    (w) => w.hour === 2 && w.minute === 0 && w.weekday <= 1,
  ],
  // America/New_York: spring forward 2026-03-08 02:00→03:00, fall back 2026-11-01 02:00→01:00.
  ['15 1,2,3 * * *', 'America/New_York', [2026, 3, 7], (w) => w.minute === 15 && [1, 2, 3].includes(w.hour)],
  [
    '15 1,2,3 * * *',
    'America/New_York',
    [2026, 10, 31],
    (w) => w.minute === 15 && [1, 2, 3].includes(w.hour),
  ],
  ['0 * * * *', 'America/New_York', [2026, 10, 31], (w) => w.minute === 0],
  [
    '0 9 * * 1-5',
    'America/New_York',
    [2026, 3, 6],
    (w) => w.hour === 9 && w.minute === 0 && w.weekday >= 1 && w.weekday <= 5,
  ],
  // America/Santiago changes at midnight: 24:00→23:00 on 2026-04-05, 00:00→01:00 on 2026-09-06.
  ['0 0 * * *', 'America/Santiago', [2026, 4, 3], (w) => w.hour === 0 && w.minute === 0],
  ['0 0 * * *', 'America/Santiago', [2026, 9, 4], (w) => w.hour === 0 && w.minute === 0],
  // Australia/Lord_Howe shifts by 30 minutes: 02:00→01:30 on 2026-04-05, 02:00→02:30 on 2026-10-04.
  ['*/30 * * * *', 'Australia/Lord_Howe', [2026, 4, 4], (w) => w.minute % 30 === 0],
  ['*/30 * * * *', 'Australia/Lord_Howe', [2026, 10, 3], (w) => w.minute % 30 === 0],
  ['15 2 * * *', 'Australia/Lord_Howe', [2026, 10, 2], (w) => w.hour === 2 && w.minute === 15],
];

describe('previousRun / nextRun (croner) agree with a brute-force enumeration around DST changes', () => {
  it.each(SCENARIOS)('%s in %s from %j', (expr, tz, from, matches) => {
    const fires = allFires(expr, matches, tz, from, 4);
    expect(fires.length).toBeGreaterThan(1);
    const s = parseCronExpression(expr);
    const first = fires[0] as number;
    const last = fires[fires.length - 1] as number;
    const probes = new Set<number>();
    for (let now = first; now < last; now += 7 * 60_000 + 13_000) probes.add(now);
    for (const f of fires.slice(0, -1)) for (const d of [-1, 0, 1]) probes.add(f + d);
    for (const now of probes) {
      if (now < first || now >= last) continue;
      const prev = fires.filter((f) => f <= now).at(-1);
      const next = fires.find((f) => f > now);
      expect(previousRun(s, tz, now), new Date(now).toISOString()).toBe(prev);
      expect(nextRun(s, tz, now), new Date(now).toISOString()).toBe(next);
    }
  });
});

describe('interval schedules follow elapsed time through a fall-back (behaviour chosen with croner)', () => {
  it('*/20 in Berlin keeps firing every 20 real minutes through the repeated hour', () => {
    const s = parseCronExpression('*/20 * * * *');
    let t = Date.UTC(2026, 9, 24, 23, 50);
    const got: string[] = [];
    for (let i = 0; i < 9; i++) {
      t = nextRun(s, 'Europe/Berlin', t) as number;
      got.push(new Date(t).toISOString().slice(11, 16));
    }
    // 02:00-02:40 CEST (00:xxZ), 02:00-02:40 CET (01:xxZ), then 03:00 CET (02:00Z).
    expect(got).toEqual(['00:00', '00:20', '00:40', '01:00', '01:20', '01:40', '02:00', '02:20', '02:40']);
  });
});
