export type { CronSchedule } from './cron.ts';
export { CronExpressionError, cronMatchesDay, parseCronExpression } from './cron.ts';
export type { DurationInput } from './duration.ts';
export { DurationError, formatDurationMs, parseDurationMs } from './duration.ts';
export { fireInstant, nextRun, previousRun } from './runs.ts';
export type { LocalResolution, WallTime } from './timezone.ts';
export { assertTimeZone, resolveLocal, TimeZoneError, wallTime, zoneOffsetMs } from './timezone.ts';
export type {
  CompiledSyncWindow,
  SyncWindowDecision,
  SyncWindowErrorCode,
  SyncWindowOverride,
  SyncWindowReason,
  SyncWindowSpec,
} from './window.ts';
export { compileSyncWindow, isInsideWindow, SyncWindowError } from './window.ts';
