/** Wall-clock arithmetic in IANA time zones using only `Intl` (no timers, no I/O). */

/** An unknown IANA time zone. */
export class TimeZoneError extends Error {
  readonly timeZone: string;
  constructor(timeZone: string) {
    super(`unknown time zone "${timeZone}" (use an IANA name such as "Europe/Berlin" or "UTC")`);
    this.name = 'TimeZoneError';
    this.timeZone = timeZone;
  }
}

/** A wall-clock time in some zone. month 1-12; weekday 0 = Sunday. */
export type WallTime = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'short',
      });
    } catch {
      throw new TimeZoneError(timeZone);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws TimeZoneError unless `timeZone` is a zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  if (timeZone.trim() === '') throw new TimeZoneError(timeZone);
  formatter(timeZone);
}

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock time of an instant in a zone. */
export function wallTime(instantMs: number, timeZone: string): WallTime {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instantMs)) {
    if (p.type === 'weekday') out.weekday = WEEKDAYS[p.value] ?? 0;
    else if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 0,
    month: out.month ?? 0,
    day: out.day ?? 0,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
    weekday: out.weekday ?? 0,
  };
}

/** Offset of the zone from UTC at an instant, in ms (Berlin in summer: +7,200,000). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const w = wallTime(instantMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * How a wall-clock minute maps to instants:
 * - `exists`: one or two instants (two during a fall-back overlap, earliest first);
 * - `gap`: the time was skipped by a spring-forward; `instant` is the moment the clock jumped.
 */
export type LocalResolution = { kind: 'exists'; instants: number[] } | { kind: 'gap'; instant: number };

/** Resolves a local date and time (month 1-12) in a zone. */
export function resolveLocal(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): LocalResolution {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const offsets = new Set([
    zoneOffsetMs(guess - 86_400_000, timeZone),
    zoneOffsetMs(guess, timeZone),
    zoneOffsetMs(guess + 86_400_000, timeZone),
  ]);
  const instants: number[] = [];
  for (const off of offsets) {
    const t = guess - off;
    const w = wallTime(t, timeZone);
    if (w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute) {
      if (!instants.includes(t)) instants.push(t);
    }
  }
  if (instants.length > 0) return { kind: 'exists', instants: instants.sort((a, b) => a - b) };
  // In a gap: the instant lies between guess - maxOffset and guess - minOffset; find the jump.
  const sorted = [...offsets].sort((a, b) => a - b);
  let lo = guess - (sorted[sorted.length - 1] as number);
  let hi = guess - (sorted[0] as number);
  const before = zoneOffsetMs(lo, timeZone);
  while (hi - lo > 1_000) {
    const mid = lo + Math.floor((hi - lo) / 2 / 1000) * 1000;
    if (zoneOffsetMs(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return { kind: 'gap', instant: hi };
}
