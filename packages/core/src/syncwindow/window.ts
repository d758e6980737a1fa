import { CronExpressionError, type CronSchedule, parseCronExpression } from './cron.ts';
import { DurationError, type DurationInput, formatDurationMs, parseDurationMs } from './duration.ts';
import { nextRun, previousRun } from './runs.ts';
import { assertTimeZone, TimeZoneError } from './timezone.ts';

/**
 * An add-on's `settings.sync_window`: create/update/self-heal run only while a window is open.
 * A window opens at each fire time of `schedule` (5-field cron, read in `timezone`) and stays open
 * for `duration` of elapsed time. `timezone` defaults to UTC.
 */
export type SyncWindowSpec = {
  enabled: boolean;
  schedule?: string;
  duration?: DurationInput;
  timezone?: string;
};

/** An audited operator override that lets work run outside the window. */
export type SyncWindowOverride = {
  by?: string;
  reason?: string;
  /** The override lapses at this instant; absent means "for this decision". */
  until?: Date;
};

/**
 * Why work may or may not run now:
 * - `inside_sync_window`: a window is open;
 * - `outside_sync_window`: no window is open (jobs return cancelled with this task message);
 * - `disabled`: the add-on has no active sync window, so nothing is restricted;
 * - `override`: outside a window, but an operator override allows it.
 */
export type SyncWindowReason = 'inside_sync_window' | 'outside_sync_window' | 'disabled' | 'override';

export type SyncWindowDecision = {
  inside: boolean;
  reason: SyncWindowReason;
  /** The open window (set with `inside_sync_window`). */
  currentWindow?: { start: Date; end: Date };
  /** When the next window opens (set when outside). */
  nextWindowStart?: Date;
  message: string;
};

export type SyncWindowErrorCode =
  | 'missing_schedule'
  | 'invalid_schedule'
  | 'schedule_never_fires'
  | 'missing_duration'
  | 'invalid_duration'
  | 'invalid_timezone';

/** A sync window that cannot be evaluated; `field` names the offending setting. */
export class SyncWindowError extends Error {
  readonly code: SyncWindowErrorCode;
  readonly field: 'schedule' | 'duration' | 'timezone';
  constructor(
    code: SyncWindowErrorCode,
    field: 'schedule' | 'duration' | 'timezone',
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SyncWindowError';
    this.code = code;
    this.field = field;
  }
}

/** A validated window, ready for repeated evaluation. */
export type CompiledSyncWindow = {
  enabled: boolean;
  schedule: CronSchedule;
  durationMs: number;
  timezone: string;
};

/** Validates a window (schedule, duration, zone); throws SyncWindowError. */
export function compileSyncWindow(spec: SyncWindowSpec): CompiledSyncWindow {
  const timezone = spec.timezone?.trim() || 'UTC';
  try {
    assertTimeZone(timezone);
  } catch (e) {
    if (e instanceof TimeZoneError) throw new SyncWindowError('invalid_timezone', 'timezone', e.message, e);
    throw e;
  }
  if (!spec.schedule?.trim())
    throw new SyncWindowError('missing_schedule', 'schedule', 'sync window has no schedule');
  let schedule: CronSchedule;
  try {
    schedule = parseCronExpression(spec.schedule);
  } catch (e) {
    if (e instanceof CronExpressionError)
      throw new SyncWindowError('invalid_schedule', 'schedule', e.message, e);
    throw e;
  }
  // croner searches forward until it finds a run or gives up (31 February never comes).
  if (nextRun(schedule, timezone, Date.UTC(2000, 0, 1)) === undefined) {
    throw new SyncWindowError(
      'schedule_never_fires',
      'schedule',
      `cron expression "${spec.schedule}" never fires`,
    );
  }
  if (spec.duration === undefined || spec.duration === '') {
    throw new SyncWindowError('missing_duration', 'duration', 'sync window has no duration');
  }
  let durationMs: number;
  try {
    durationMs = parseDurationMs(spec.duration);
  } catch (e) {
    if (e instanceof DurationError) throw new SyncWindowError('invalid_duration', 'duration', e.message, e);
    throw e;
  }
  if (durationMs <= 0)
    throw new SyncWindowError('invalid_duration', 'duration', 'sync window duration must be positive');
  return { enabled: spec.enabled, schedule, durationMs, timezone };
}

function isCompiled(w: SyncWindowSpec | CompiledSyncWindow): w is CompiledSyncWindow {
  return typeof (w as CompiledSyncWindow).durationMs === 'number';
}

function overrideActive(
  o: boolean | SyncWindowOverride | undefined,
  now: Date,
): SyncWindowOverride | undefined {
  if (o === undefined || o === false) return undefined;
  if (o === true) return {};
  if (o.until && now.getTime() >= o.until.getTime()) return undefined;
  return o;
}

/**
 * Whether work may run at `now`. croner finds the most recent window start at or before `now` in
 * the window's zone (DST rules: see CRON_OPTIONS in cron.ts); the window is open when `now` is before
 * start + duration (start inclusive, end exclusive). A disabled window never restricts. An active
 * override admits work outside the window. Throws SyncWindowError for an invalid enabled window.
 */
export function isInsideWindow(
  window: SyncWindowSpec | CompiledSyncWindow,
  now: Date,
  options: { override?: boolean | SyncWindowOverride } = {},
): SyncWindowDecision {
  if (!window.enabled) return { inside: true, reason: 'disabled', message: 'no sync window configured' };
  const w = isCompiled(window) ? window : compileSyncWindow(window);
  const nowMs = now.getTime();
  const start = previousRun(w.schedule, w.timezone, nowMs);
  if (start !== undefined && nowMs < start + w.durationMs) {
    const end = new Date(start + w.durationMs);
    return {
      inside: true,
      reason: 'inside_sync_window',
      currentWindow: { start: new Date(start), end },
      message: `inside sync window until ${end.toISOString()}`,
    };
  }
  const next = nextRun(w.schedule, w.timezone, nowMs);
  const nextWindowStart = next === undefined ? undefined : new Date(next);
  const nextText = nextWindowStart
    ? `next window opens ${nextWindowStart.toISOString()}`
    : 'no upcoming window';
  const override = overrideActive(options.override, now);
  if (override) {
    const who = override.by ? ` by ${override.by}` : '';
    const why = override.reason ? `: ${override.reason}` : '';
    return {
      inside: true,
      reason: 'override',
      nextWindowStart,
      message: `outside sync window, allowed by override${who}${why}`,
    };
  }
  return {
    inside: false,
    reason: 'outside_sync_window',
    nextWindowStart,
    message: `outside sync window (${w.schedule.source} for ${formatDurationMs(w.durationMs)}, ${w.timezone}); ${nextText}`,
  };
}
