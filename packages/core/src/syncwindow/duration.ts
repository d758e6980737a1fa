/**
 * A duration as written in settings: "30s", "5m", "4h", "1h30m", "2d", "1.5h", "250ms";
 * a number means seconds; `{ seconds }` is the parsed form the definition loader produces.
 */
export type DurationInput = string | number | { seconds: number };

/** A duration that cannot be parsed. */
export class DurationError extends Error {
  readonly input: string;
  constructor(input: unknown, reason: string) {
    super(`invalid duration ${JSON.stringify(input)}: ${reason}`);
    this.name = 'DurationError';
    this.input = String(input);
  }
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Milliseconds of a duration. Units combine largest first or in any order ("1h30m", "1d12h", "90s").
 * Throws DurationError for an empty, negative, unit-less or otherwise malformed value.
 */
export function parseDurationMs(input: DurationInput): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0)
      throw new DurationError(input, 'must be a non-negative number of seconds');
    return input * 1000;
  }
  if (typeof input === 'object' && input !== null) {
    return parseDurationMs(input.seconds);
  }
  if (typeof input !== 'string') throw new DurationError(input, 'must be a string such as "30m" or "1h30m"');
  const text = input.trim();
  if (text === '') throw new DurationError(input, 'is empty');
  if (text === '0') return 0;
  let ms = 0;
  let pos = 0;
  PART.lastIndex = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) {
      throw new DurationError(
        input,
        `unexpected "${text.slice(pos)}" (use a number followed by ms, s, m, h or d)`,
      );
    }
    ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART.lastIndex;
  }
  return Math.round(ms);
}

/** "1h30m" style rendering of milliseconds (for messages). */
export function formatDurationMs(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || `${ms}ms`;
}
