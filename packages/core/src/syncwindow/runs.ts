import { type CronSchedule, cronMatchesDay } from './cron.ts';
import { resolveLocal, wallTime, zoneOffsetMs } from './timezone.ts';

const DAY_MS = 86_400_000;
/** How far to search: eight years covers "29 February" and any weekday combination. */
const MAX_DAYS = 366 * 8;
/** Slack around "now" on the current day, larger than any DST shift. */
const SLACK_MINUTES = 180;

/**
 * The instant a scheduled wall-clock minute fires, ISC-cron style:
 * - in a fall-back overlap the time exists twice and fires once, at the first occurrence;
 * - in a spring-forward gap it fires at the moment the clock jumps (02:30 on a 02:00→03:00 night fires at 03:00).
 */
export function fireInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  tz: string,
): number {
  const r = resolveLocal(year, month, day, hour, minute, tz);
  return r.kind === 'gap' ? r.instant : (r.instants[0] as number);
}

/**
 * Minutes of slack needed when comparing wall times with "now" on the current day: none when the
 * zone's offset is the same three hours either side (wall order = instant order), else enough to
 * cover any DST shift.
 */
function slackMinutes(nowMs: number, tz: string): number {
  const span = SLACK_MINUTES * 60_000;
  return zoneOffsetMs(nowMs - span, tz) === zoneOffsetMs(nowMs + span, tz) ? 0 : SLACK_MINUTES;
}

function calendarDay(dayUtcMs: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(dayUtcMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
  };
}

/** The latest fire time at or before `nowMs`, or undefined when there is none within eight years. */
export function previousRun(s: CronSchedule, tz: string, nowMs: number): number | undefined {
  const now = wallTime(nowMs, tz);
  const nowMinute = now.hour * 60 + now.minute;
  const slack = slackMinutes(nowMs, tz);
  const today = Date.UTC(now.year, now.month - 1, now.day);
  const hours = [...s.hours].reverse();
  const minutes = [...s.minutes].reverse();
  for (let d = 0; d <= MAX_DAYS; d++) {
    const c = calendarDay(today - d * DAY_MS);
    if (!cronMatchesDay(s, c.month, c.day, c.weekday)) continue;
    for (const h of hours) {
      for (const m of minutes) {
        if (d === 0 && h * 60 + m > nowMinute + slack) continue;
        const t = fireInstant(c.year, c.month, c.day, h, m, tz);
        if (t <= nowMs) return t;
      }
    }
  }
  return undefined;
}

/** The earliest fire time strictly after `afterMs`, or undefined when there is none within eight years. */
export function nextRun(s: CronSchedule, tz: string, afterMs: number): number | undefined {
  const now = wallTime(afterMs, tz);
  const nowMinute = now.hour * 60 + now.minute;
  const slack = slackMinutes(afterMs, tz);
  const today = Date.UTC(now.year, now.month - 1, now.day);
  for (let d = 0; d <= MAX_DAYS; d++) {
    const c = calendarDay(today + d * DAY_MS);
    if (!cronMatchesDay(s, c.month, c.day, c.weekday)) continue;
    for (const h of s.hours) {
      for (const m of s.minutes) {
        if (d === 0 && h * 60 + m < nowMinute - slack) continue;
        const t = fireInstant(c.year, c.month, c.day, h, m, tz);
        if (t > afterMs) return t;
      }
    }
  }
  return undefined;
}
