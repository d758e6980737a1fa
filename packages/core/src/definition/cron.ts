/**
 * Cron expression check for sync window schedules. Accepts what croner
 * accepts in its default mode: 5 fields (minute hour day-of-month month
 * day-of-week) or 6 (leading seconds); `*`, `?`, lists, ranges, steps
 * (`*\/5`, `1-30/2`), month and weekday names (`JAN`, `MON-FRI`), weekday 0-7,
 * `L` (last day of month / `5L` last Friday), `W` (nearest weekday), `#`
 * (`MON#2`), and the nicknames `@yearly @annually @monthly @weekly @daily
 * @midnight @hourly`. (croner itself is not installed in this workspace; this
 * is a pure re-implementation of its syntax check.)
 */

const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  nameBase?: number;
  special?: 'dom' | 'dow';
}

const SECOND: FieldRule = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldRule = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldRule = { name: 'hour', min: 0, max: 23 };
const DOM: FieldRule = { name: 'day of month', min: 1, max: 31, special: 'dom' };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 };
const DOW: FieldRule = { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0, special: 'dow' };

/** Returns undefined when `expr` is a valid cron expression, else why not. */
export function cronError(expr: string): string | undefined {
  const trimmed = expr.trim();
  if (trimmed === '') return 'the schedule is empty';
  if (trimmed.startsWith('@')) {
    return NICKNAMES.has(trimmed.toLowerCase()) ? undefined : `unknown nickname "${trimmed}"`;
  }
  const fields = trimmed.split(/\s+/);
  let rules: FieldRule[];
  if (fields.length === 5) rules = [MINUTE, HOUR, DOM, MONTH, DOW];
  else if (fields.length === 6) rules = [SECOND, MINUTE, HOUR, DOM, MONTH, DOW];
  else return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (let i = 0; i < rules.length; i++) {
    const err = fieldError(fields[i]!, rules[i]!);
    if (err) return err;
  }
  return undefined;
}

function value(token: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  if (rule.names) {
    const i = rule.names.indexOf(token.toUpperCase());
    if (i >= 0) return i + (rule.nameBase ?? 0);
  }
  return undefined;
}

function fieldError(field: string, rule: FieldRule): string | undefined {
  for (const part of field.split(',')) {
    if (part === '') return `empty list item in ${rule.name} field "${field}"`;
    const err = partError(part, rule);
    if (err) return err;
  }
  return undefined;
}

function partError(part: string, rule: FieldRule): string | undefined {
  const bad = `invalid ${rule.name} "${part}" (allowed ${rule.min}-${rule.max})`;
  if (part === '?' || part === '*') return undefined;
  if (rule.special === 'dom') {
    if (part === 'L' || part === 'LW') return undefined;
    if (/^\d+W$/.test(part)) return inRange(Number(part.slice(0, -1)), rule) ? undefined : bad;
  }
  if (rule.special === 'dow') {
    const hash = /^([A-Za-z]+|\d+)#([1-5])$/.exec(part);
    if (hash)
      return value(hash[1]!, rule) !== undefined && inRange(value(hash[1]!, rule)!, rule) ? undefined : bad;
    const last = /^([A-Za-z]+|\d+)L$/.exec(part);
    if (last)
      return value(last[1]!, rule) !== undefined && inRange(value(last[1]!, rule)!, rule) ? undefined : bad;
  }
  const [range, step, ...extra] = part.split('/');
  if (extra.length > 0) return bad;
  if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0))
    return `invalid step "${step}" in ${rule.name}`;
  if (range === '*' || range === '?') return undefined;
  const bounds = range!.split('-');
  if (bounds.length > 2) return bad;
  const from = value(bounds[0]!, rule);
  if (from === undefined || !inRange(from, rule)) return bad;
  if (bounds.length === 2) {
    const to = value(bounds[1]!, rule);
    if (to === undefined || !inRange(to, rule)) return bad;
    if (to < from) return `range "${range}" in ${rule.name} runs backwards`;
  }
  return undefined;
}

function inRange(n: number, rule: FieldRule): boolean {
  return n >= rule.min && n <= rule.max;
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
