/**
 * Standard 5-field cron expressions ("minute hour day-of-month month day-of-week"), parsed into sets.
 * Supports `*`, `?`, lists, ranges, steps (`*\/15`, `1-30/2`, `5/10`), month and weekday names
 * (JAN-DEC, SUN-SAT), 7 as Sunday, and the macros @yearly @annually @monthly @weekly @daily
 * @midnight @hourly. As in Vixie cron, when both day-of-month and day-of-week are restricted a day
 * matches if either does.
 */

/** A malformed cron expression. */
export class CronExpressionError extends Error {
  readonly expression: string;
  constructor(expression: string, reason: string) {
    super(`invalid cron expression "${expression}": ${reason}`);
    this.name = 'CronExpressionError';
    this.expression = expression;
  }
}

export type CronSchedule = {
  source: string;
  minutes: readonly number[];
  hours: readonly number[];
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday. */
  daysOfWeek: ReadonlySet<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
};

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

type FieldSpec = { name: string; min: number; max: number; names?: readonly string[]; nameBase?: number };

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];

function parseField(
  expr: string,
  text: string,
  spec: FieldSpec,
): { values: Set<number>; restricted: boolean } {
  const fail = (why: string): never => {
    throw new CronExpressionError(expr, `${spec.name} field "${text}": ${why}`);
  };
  const value = (raw: string): number => {
    const lower = raw.toLowerCase();
    const named = spec.names?.indexOf(lower) ?? -1;
    if (named >= 0) return named + (spec.nameBase ?? 0);
    if (!/^\d+$/.test(raw)) fail(`"${raw}" is not a number`);
    const n = Number(raw);
    if (n < spec.min || n > spec.max) fail(`${n} is outside ${spec.min}-${spec.max}`);
    return n;
  };
  const values = new Set<number>();
  const restricted = !(text === '*' || text === '?');
  for (const part of text.split(',')) {
    if (part === '') fail('empty list item');
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) fail('more than one "/"');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
        fail(`step "${stepText}" must be a positive number`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = spec.min;
      hi = spec.name === 'day-of-week' ? 6 : spec.max;
    } else if (range?.includes('-')) {
      const [a, b, more] = range.split('-');
      if (more !== undefined || a === undefined || b === undefined) fail(`bad range "${range}"`);
      lo = value(a as string);
      hi = value(b as string);
      if (hi < lo) fail(`range ${lo}-${hi} is backwards`);
    } else {
      lo = value(range as string);
      hi = stepText !== undefined ? (spec.name === 'day-of-week' ? 6 : spec.max) : lo;
    }
    for (let v = lo; v <= hi; v += step) values.add(spec.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return { values, restricted };
}

/** Parses a 5-field expression or macro; throws CronExpressionError. */
export function parseCronExpression(expression: string): CronSchedule {
  const trimmed = expression.trim();
  const text = MACROS[trimmed.toLowerCase()] ?? trimmed;
  if (text.startsWith('@')) throw new CronExpressionError(expression, `unknown macro "${text}"`);
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    throw new CronExpressionError(
      expression,
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`,
    );
  }
  const [min, hour, dom, month, dow] = parts.map((p, i) =>
    parseField(expression, p, FIELDS[i] as FieldSpec),
  ) as [
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
  ];
  return {
    source: expression,
    minutes: [...min.values].sort((a, b) => a - b),
    hours: [...hour.values].sort((a, b) => a - b),
    daysOfMonth: dom.values,
    months: month.values,
    daysOfWeek: dow.values,
    domRestricted: dom.restricted,
    dowRestricted: dow.restricted,
  };
}

/** Whether a calendar day (month 1-12, weekday 0 = Sunday) matches the schedule's day fields. */
export function cronMatchesDay(s: CronSchedule, month: number, day: number, weekday: number): boolean {
  if (!s.months.has(month)) return false;
  const domOk = s.daysOfMonth.has(day);
  const dowOk = s.daysOfWeek.has(weekday);
  if (s.domRestricted && s.dowRestricted) return domOk || dowOk;
  return domOk && dowOk;
}
