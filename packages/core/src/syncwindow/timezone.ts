/** IANA time zone validation using `Intl` (no I/O). Wall-clock arithmetic is croner's job. */

/** An unknown IANA time zone. */
export class TimeZoneError extends Error {
  readonly timeZone: string;
  constructor(timeZone: string) {
    super(`unknown time zone "${timeZone}" (use an IANA name such as "Europe/Berlin" or "UTC")`);
    this.name = 'TimeZoneError';
    this.timeZone = timeZone;
  }
}

const known = new Set<string>();

/** Throws TimeZoneError unless `timeZone` is a zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  if (known.has(timeZone)) return;
  if (timeZone.trim() === '') throw new TimeZoneError(timeZone);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new TimeZoneError(timeZone);
  }
  if (known.size < 1000) known.add(timeZone);
}
