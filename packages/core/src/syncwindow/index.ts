export type { CronSchedule } from './cron.ts';
export { CronExpressionError, parseCronExpression } from './cron.ts';
export type { DurationInput } from './duration.ts';
export { DurationError, formatDurationMs, parseDurationMs } from './duration.ts';
export { nextRun, previousRun } from './runs.ts';
export { assertTimeZone, TimeZoneError } from './timezone.ts';
export type {
  CompiledSyncWindow,
  SyncWindowDecision,
  SyncWindowErrorCode,
  SyncWindowOverride,
  SyncWindowReason,
  SyncWindowSpec,
} from './window.ts';
export { compileSyncWindow, isInsideWindow, SyncWindowError } from './window.ts';
