/**
 * Cron expressions for sync windows, parsed and evaluated by croner. A schedule has the standard
 * 5 fields ("minute hour day-of-month month day-of-week") or is a nickname (@yearly @annually
 * @monthly @weekly @daily @midnight @hourly). croner's syntax applies: `*`, `?`, lists, ranges,
 * steps (`*\/15`, `1-30/2`, and `5/10`, which `sloppyRanges` keeps accepting), month and weekday
 * names, 7 as Sunday, `L`, `W` and `#`. As in Vixie cron, when both day-of-month and day-of-week
 * are restricted a day matches if either does (croner's default; a `+` before the weekday field
 * asks for both).
 */
import { Cron, type CronOptions } from 'croner';

/** A malformed cron expression. */
export class CronExpressionError extends Error {
  readonly expression: string;
  constructor(expression: string, reason: string, cause?: unknown) {
    super(`invalid cron expression "${expression}": ${reason}`, cause === undefined ? undefined : { cause });
    this.name = 'CronExpressionError';
    this.expression = expression;
  }
}

/** A validated cron expression; evaluate it with `nextRun` / `previousRun`. */
export type CronSchedule = {
  /** The expression as written. */
  readonly source: string;
};

/**
 * How croner reads a sync window schedule:
 * - `mode: '5-part'`: exactly 5 fields (no seconds or years), so a window opens on a whole minute;
 * - `fixedTimeRule: 'no-wildcard'`: DST handling as in Vixie cron. A schedule naming its minutes and
 *   hours without `*`, `?` or a step (`30 2 * * *`, `0 1,13 * * *`) is a fixed-time schedule: a
 *   time skipped by a spring-forward opens the window when the clock jumps (02:30 on a
 *   02:00→03:00 night opens at 03:00), and a time repeated by a fall-back opens it once, at the
 *   first occurrence. That is what a maintenance window needs: "every night at 02:30" keeps exactly
 *   one window a night. A schedule with a wildcard or step (`*\/20 * * * *`, `0 * * * *`) is an
 *   interval schedule and follows elapsed time: wall times that do not exist are skipped, and
 *   repeated wall times open a window on each pass, so windows keep coming at the same real
 *   interval through the DST change.
 * - `sloppyRanges: true`: accept `5/10` (from 5, every 10) as the definition validator does.
 */
const CRON_OPTIONS: CronOptions = {
  mode: '5-part',
  fixedTimeRule: 'no-wildcard',
  sloppyRanges: true,
};

const FIELD_HINT =
  'expected 5 fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 0-7 or SUN-SAT';

/** Builds a croner job (never started: no function, so no timer) for `source` in `timeZone`. */
function newCron(source: string, timeZone: string): Cron {
  const text = source.trim();
  if (text === '') throw new CronExpressionError(source, 'the expression is empty');
  try {
    return new Cron(text, { ...CRON_OPTIONS, timezone: timeZone });
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^CronPattern:\s*/, '');
    throw new CronExpressionError(source, `${reason} (${FIELD_HINT})`, e);
  }
}

/** Parsed croner jobs per schedule and zone (a job is bound to one zone). */
const jobs = new WeakMap<CronSchedule, Map<string, Cron>>();

/** The croner job evaluating `schedule` in `timeZone`; throws CronExpressionError. */
export function cronInZone(schedule: CronSchedule, timeZone: string): Cron {
  let byZone = jobs.get(schedule);
  if (!byZone) {
    byZone = new Map();
    jobs.set(schedule, byZone);
  }
  let job = byZone.get(timeZone);
  if (!job) {
    job = newCron(schedule.source, timeZone);
    byZone.set(timeZone, job);
  }
  return job;
}

/** Validates a 5-field expression or nickname; throws CronExpressionError. */
export function parseCronExpression(expression: string): CronSchedule {
  const schedule: CronSchedule = { source: expression };
  cronInZone(schedule, 'UTC');
  return schedule;
}
