/**
 * Cron expression check for sync window schedules, done by croner (`mode: '5-part'`):
 * exactly 5 fields (minute hour day-of-month month day-of-week) or one of croner's nicknames
 * (`@yearly @annually @monthly @weekly @daily @midnight @hourly`). Field syntax is croner's:
 * `*`, `?`, lists, ranges, steps (`*\/5`, `1-30/2`, and `5/10` via `sloppyRanges`), month and
 * weekday names, weekday 0-7, and croner's `L`, `W`, `#` extensions. Croner's own messages are
 * terse (and report some values zero-based), so they are reworded here. The caller prefixes the
 * message with the schedule itself.
 */
import { Cron } from 'croner';

const FIELDS_HINT = 'expected 5 fields: minute hour day-of-month month day-of-week';

/** Croner's field names (in its "Invalid value for <field>" errors) → our field and its range. */
const CRONER_FIELDS: Readonly<Record<string, { index: number; name: string; allowed: string }>> = {
  minute: { index: 0, name: 'minute', allowed: '0-59' },
  hour: { index: 1, name: 'hour', allowed: '0-23' },
  day: { index: 2, name: 'day of month', allowed: '1-31' },
  nearestWeekdays: { index: 2, name: 'day of month', allowed: '1-31' },
  month: { index: 3, name: 'month', allowed: '1-12 or JAN-DEC' },
  dayOfWeek: { index: 4, name: 'day of week', allowed: '0-7 or SUN-SAT' },
};

/** Returns undefined when `expr` is a valid sync window schedule, else why not. */
export function cronError(expr: string): string | undefined {
  const trimmed = expr.trim();
  if (trimmed === '') return 'the schedule is empty';
  const fields = trimmed.split(/\s+/);
  if (!trimmed.startsWith('@') && fields.length !== 5)
    return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  try {
    new Cron(trimmed, { mode: '5-part', sloppyRanges: true, paused: true });
    return undefined;
  } catch (e) {
    if (trimmed.startsWith('@'))
      return `unsupported nickname "${trimmed}"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly`;
    const reason = (e instanceof Error ? e.message : String(e))
      .replace(/^CronPattern:\s*/, '')
      .replace(/\.$/, '');
    const range = /^Invalid value for (\w+):/.exec(reason);
    const field = range ? CRONER_FIELDS[range[1]!] : undefined;
    if (field) return `invalid ${field.name} "${fields[field.index]}" (allowed ${field.allowed})`;
    return `${reason}; ${FIELDS_HINT}`;
  }
}

/** True when `tz` is an IANA time zone name the runtime knows (`Europe/Berlin`, `UTC`). */
export function isValidTimeZone(tz: string): boolean {
  const known = ZONE_CACHE.get(tz);
  if (known !== undefined) return known;
  let ok = false;
  if (tz.trim() !== '') {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
  }
  if (ZONE_CACHE.size < 1000) ZONE_CACHE.set(tz, ok);
  return ok;
}

/** Constructing a DateTimeFormat is slow; zone names repeat across members. */
const ZONE_CACHE = new Map<string, boolean>();
