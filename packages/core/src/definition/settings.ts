/**
 * Add-on `settings` and `job_configuration`: read, checked against their
 * limits, defaults applied (see DEFAULTS in schema.ts).
 */
import { isMap, isScalar } from 'yaml';
import { cronError, isValidTimeZone } from './cron.ts';
import type { AddonSettings, Duration, IgnoreDifference, JobConfiguration, SyncWindow } from './model.ts';
import {
  type AnyMap,
  checkKeys,
  childPath,
  getNode,
  isNullNode,
  loc,
  missing,
  type ReadCtx,
  readBool,
  readMap,
  readNumber,
  readSeq,
  readString,
  readStringList,
  wrongType,
} from './reader.ts';
import {
  DEFAULTS,
  ENGINE_ALIASES,
  EXAMPLES,
  IGNORE_DIFFERENCE_FIELDS,
  JOB_CONFIGURATION_FIELDS,
  LIMITS,
  parseDuration,
  RETRY_POLICY_FIELDS,
  SETTINGS_FIELDS,
  SYNC_POLICY_FIELDS,
  SYNC_WINDOW_FIELDS,
} from './schema.ts';

function defaultDuration(text: string): Duration {
  return parseDuration(text)!;
}

/**
 * A duration field: `30s`, `5m`, `4h`, `1h30m`. With `allowSeconds`, a bare
 * integer is read as seconds (job timeouts in older files).
 */
export function readDuration(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  key: string,
  allowSeconds = false,
): Duration | undefined {
  const node = getNode(map, key);
  if (isNullNode(node)) return undefined;
  const p = childPath(path, key);
  if (allowSeconds && isScalar(node) && typeof node.value === 'number') {
    if (Number.isInteger(node.value) && node.value >= 0)
      return { text: `${node.value}s`, seconds: node.value };
  }
  if (!isScalar(node) || typeof node.value !== 'string') {
    wrongType(ctx, node, p, key, 'a duration such as "30s", "5m" or "4h"');
    return undefined;
  }
  const d = parseDuration(node.value);
  if (!d) {
    ctx.sink.error(
      loc(ctx, node),
      p,
      'invalid-duration',
      `"${key}" is not a duration: ${JSON.stringify(node.value)} (write a number and a unit: 30s, 5m, 4h, 1h30m)`,
    );
  }
  return d;
}

export function readSettings(ctx: ReadCtx, owner: AnyMap, ownerPath: string): AddonSettings {
  const path = childPath(ownerPath, 'settings');
  const map = readMap(ctx, owner, ownerPath, 'settings');
  const s: AddonSettings = {
    engine: DEFAULTS.engine,
    syncPolicy: {
      automated: DEFAULTS.automated,
      selfHeal: DEFAULTS.selfHeal,
      autoPrune: DEFAULTS.autoPrune,
      syncOptions: [],
    },
    retryPolicy: {
      limit: DEFAULTS.retryLimit,
      backoffDuration: defaultDuration(DEFAULTS.backoffDuration),
      backoffFactor: DEFAULTS.backoffFactor,
      backoffMax: defaultDuration(DEFAULTS.backoffMax),
    },
    strictHealthCheck: DEFAULTS.strictHealthCheck,
    revisionHistoryLimit: DEFAULTS.revisionHistoryLimit,
    ignoreDifferences: [],
  };
  if (!map) return s;
  checkKeys(ctx, map, path, SETTINGS_FIELDS, 'settings');

  const engineNode = getNode(map, 'engine');
  if (!isNullNode(engineNode)) {
    if (isScalar(engineNode) && typeof engineNode.value === 'string') {
      const e = ENGINE_ALIASES[engineNode.value];
      if (e) {
        s.engine = e;
        s.engineSet = true;
      } else
        ctx.sink.error(
          loc(ctx, engineNode),
          childPath(path, 'engine'),
          'invalid-value',
          `unknown engine ${JSON.stringify(engineNode.value)}: use native or argocd (also ankra_native, argo_cd)`,
        );
    } else wrongType(ctx, engineNode, childPath(path, 'engine'), 'engine', 'native or argocd');
  }

  const sp = readMap(ctx, map, path, 'sync_policy');
  if (sp) {
    const spPath = childPath(path, 'sync_policy');
    checkKeys(ctx, sp, spPath, SYNC_POLICY_FIELDS, 'sync_policy');
    s.syncPolicy.automated = readBool(ctx, sp, spPath, 'automated') ?? s.syncPolicy.automated;
    s.syncPolicy.selfHeal = readBool(ctx, sp, spPath, 'self_heal') ?? s.syncPolicy.selfHeal;
    s.syncPolicy.autoPrune = readBool(ctx, sp, spPath, 'auto_prune') ?? s.syncPolicy.autoPrune;
    s.syncPolicy.syncOptions = readStringList(ctx, sp, spPath, 'sync_options') ?? [];
  }

  const rp = readMap(ctx, map, path, 'retry_policy');
  if (rp) {
    const rpPath = childPath(path, 'retry_policy');
    checkKeys(ctx, rp, rpPath, RETRY_POLICY_FIELDS, 'retry_policy');
    const r = s.retryPolicy;
    r.limit = readNumber(ctx, rp, rpPath, 'limit', { ...LIMITS.retryLimit, integer: true }) ?? r.limit;
    r.backoffDuration = readDuration(ctx, rp, rpPath, 'backoff_duration') ?? r.backoffDuration;
    r.backoffFactor =
      readNumber(ctx, rp, rpPath, 'backoff_factor', { ...LIMITS.backoffFactor, integer: false }) ??
      r.backoffFactor;
    r.backoffMax = readDuration(ctx, rp, rpPath, 'backoff_max') ?? r.backoffMax;
  }

  s.strictHealthCheck = readBool(ctx, map, path, 'strict_health_check') ?? s.strictHealthCheck;
  s.revisionHistoryLimit =
    readNumber(ctx, map, path, 'revision_history_limit', { ...LIMITS.revisionHistoryLimit, integer: true }) ??
    s.revisionHistoryLimit;

  const sw = readMap(ctx, map, path, 'sync_window');
  if (sw) s.syncWindow = readSyncWindow(ctx, sw, childPath(path, 'sync_window'));

  const id = readSeq(ctx, map, path, 'ignore_differences');
  if (id) {
    const idPath = childPath(path, 'ignore_differences');
    id.items.forEach((item, i) => {
      const p = childPath(idPath, i);
      if (!isMap(item)) {
        wrongType(ctx, item, p, `ignore_differences[${i}]`, 'a mapping');
        return;
      }
      const d = readIgnoreDifference(ctx, item as AnyMap, p);
      if (d) s.ignoreDifferences.push(d);
    });
  }
  return s;
}

function readSyncWindow(ctx: ReadCtx, sw: AnyMap, path: string): SyncWindow {
  checkKeys(ctx, sw, path, SYNC_WINDOW_FIELDS, 'sync_window');
  const enabled = readBool(ctx, sw, path, 'enabled') ?? true;
  const what = 'sync_window';
  const schedule = readString(ctx, sw, path, 'schedule', {
    what,
    ...(enabled ? { required: EXAMPLES['sync_window.schedule']! } : {}),
  });
  if (schedule !== undefined) {
    const err = cronError(schedule);
    if (err)
      ctx.sink.error(
        loc(ctx, getNode(sw, 'schedule')),
        childPath(path, 'schedule'),
        'invalid-cron',
        `schedule ${JSON.stringify(schedule)} is not a cron expression: ${err}`,
        'five fields: minute hour day-of-month month day-of-week, e.g. "0 22 * * *"',
      );
  }
  const duration = readDuration(ctx, sw, path, 'duration');
  if (enabled && isNullNode(getNode(sw, 'duration')))
    missing(ctx, sw, path, 'duration', what, EXAMPLES['sync_window.duration']!);
  let timezone: string = DEFAULTS.syncWindowTimezone;
  const tz = readString(ctx, sw, path, 'timezone', { what });
  if (tz !== undefined) {
    if (isValidTimeZone(tz)) timezone = tz;
    else
      ctx.sink.error(
        loc(ctx, getNode(sw, 'timezone')),
        childPath(path, 'timezone'),
        'invalid-timezone',
        `unknown time zone ${JSON.stringify(tz)}: use an IANA name such as Europe/Berlin or UTC`,
      );
  }
  return {
    enabled,
    ...(schedule !== undefined ? { schedule } : {}),
    ...(duration ? { duration } : {}),
    timezone,
  };
}

function readIgnoreDifference(ctx: ReadCtx, m: AnyMap, path: string): IgnoreDifference | undefined {
  const what = 'ignore_differences entry';
  checkKeys(ctx, m, path, IGNORE_DIFFERENCE_FIELDS, what);
  const kind = readString(ctx, m, path, 'kind', { what, required: EXAMPLES['ignore_difference.kind']! });
  const group = readString(ctx, m, path, 'group', { what });
  const name = readString(ctx, m, path, 'name', { what });
  const namespace = readString(ctx, m, path, 'namespace', { what });
  const jsonPointers = readStringList(ctx, m, path, 'json_pointers') ?? [];
  const jpSeq = getNode(m, 'json_pointers');
  jsonPointers.forEach((jp, i) => {
    if (!jp.startsWith('/')) {
      const item = (jpSeq as { items: unknown[] }).items[i];
      ctx.sink.error(
        loc(ctx, item),
        childPath(childPath(path, 'json_pointers'), i),
        'invalid-value',
        `JSON pointer ${JSON.stringify(jp)} must start with "/" (e.g. /spec/replicas)`,
      );
    }
  });
  const jq = readStringList(ctx, m, path, 'jq_path_expressions') ?? [];
  const mfm = readStringList(ctx, m, path, 'managed_fields_managers') ?? [];
  if (kind === undefined) return undefined;
  return {
    ...(group !== undefined ? { group } : {}),
    kind,
    ...(name !== undefined ? { name } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    jsonPointers,
    jqPathExpressions: jq,
    managedFieldsManagers: mfm,
  };
}

export function readJobConfiguration(ctx: ReadCtx, owner: AnyMap, ownerPath: string): JobConfiguration {
  const jc: JobConfiguration = {
    readJobTimeout: defaultDuration(DEFAULTS.readJobTimeout),
    updateJobTimeout: defaultDuration(DEFAULTS.updateJobTimeout),
    deleteJobTimeout: defaultDuration(DEFAULTS.deleteJobTimeout),
  };
  const map = readMap(ctx, owner, ownerPath, 'job_configuration');
  if (!map) return jc;
  const path = childPath(ownerPath, 'job_configuration');
  checkKeys(ctx, map, path, JOB_CONFIGURATION_FIELDS, 'job_configuration');
  jc.readJobTimeout = readDuration(ctx, map, path, 'read_job_timeout', true) ?? jc.readJobTimeout;
  jc.updateJobTimeout = readDuration(ctx, map, path, 'update_job_timeout', true) ?? jc.updateJobTimeout;
  jc.deleteJobTimeout = readDuration(ctx, map, path, 'delete_job_timeout', true) ?? jc.deleteJobTimeout;
  return jc;
}
