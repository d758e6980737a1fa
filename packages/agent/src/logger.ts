import { pino } from 'pino';
import type { LogLevel } from './config.ts';

/** What the agent needs of a logger (pino's shape); passed in, never global. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

const PINO_LEVEL: Record<LogLevel, string> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
};

/** A JSON logger on stdout at the chart's level, tagged with `bindings` (cluster, pod). */
export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: PINO_LEVEL[level],
    base: { component: 'mooring-agent', ...bindings },
    // belt and braces: a token that reaches a log object by mistake is not printed
    redact: { paths: ['token', '*.token', 'MOORING_TOKEN'], censor: '[redacted]' },
  });
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
