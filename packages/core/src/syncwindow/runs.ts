import { type CronSchedule, cronInZone } from './cron.ts';

/**
 * The latest window start at or before `nowMs` (inclusive), read in `tz`, or undefined when the
 * schedule never fired. DST rules: see CRON_OPTIONS in cron.ts.
 */
export function previousRun(s: CronSchedule, tz: string, nowMs: number): number | undefined {
  // croner returns runs strictly before its reference. Runs fall on whole minutes and times are
  // whole milliseconds, so "before nowMs + 1" is "at or before nowMs".
  const [run] = cronInZone(s, tz).previousRuns(1, new Date(nowMs + 1));
  return run === undefined ? undefined : run.getTime();
}

/** The earliest window start strictly after `afterMs`, read in `tz`, or undefined when there is none. */
export function nextRun(s: CronSchedule, tz: string, afterMs: number): number | undefined {
  const run = cronInZone(s, tz).nextRun(new Date(afterMs));
  return run === null ? undefined : run.getTime();
}
