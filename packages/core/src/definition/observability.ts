/**
 * `spec.prometheus_metrics` and `spec.log_source`: where the platform reads a
 * cluster's metrics and logs. Credentials never live in Git: `username`,
 * `password`, `token` and `auth_scheme` are refused by name (a
 * `credential_name` names a credential stored in Mooring instead); unknown
 * keys are refused; an endpoint must be http(s):// or host:port, without
 * whitespace.
 */
import { isMap, isScalar } from 'yaml';
import type { LogSource, PrometheusMetrics } from './model.ts';
import {
  type AnyMap,
  checkKeys,
  childPath,
  getNode,
  loc,
  type ReadCtx,
  readBool,
  readMap,
  readString,
  wrongType,
} from './reader.ts';
import {
  CREDENTIAL_KEYS,
  EXAMPLES,
  LOG_PROVIDERS,
  LOG_SOURCE_FIELDS,
  PROMETHEUS_FLAVORS,
  PROMETHEUS_METRICS_FIELDS,
} from './schema.ts';

/** `https://host[:port][/path]`, `http://...`, or `host:port`; never whitespace. */
export function isValidEndpoint(endpoint: string): boolean {
  if (/\s/.test(endpoint)) return false;
  if (/^https?:\/\/[^/:?#]+(:\d{1,5})?(\/\S*)?$/i.test(endpoint)) return true;
  return /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}$/.test(endpoint);
}

function refuseCredentials(ctx: ReadCtx, m: AnyMap, path: string, what: string): void {
  for (const key of CREDENTIAL_KEYS) {
    const pair = m.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (!pair) continue;
    ctx.sink.error(
      loc(ctx, pair.key),
      childPath(path, key),
      'credential-in-git',
      `"${key}" is not allowed in ${what}: credentials never live in Git`,
      'store the credential in Mooring and name it with credential_name',
    );
  }
}

function readEndpoint(
  ctx: ReadCtx,
  m: AnyMap,
  path: string,
  what: string,
  example: string,
): string | undefined {
  const endpoint = readString(ctx, m, path, 'endpoint', { what, required: example });
  if (endpoint === undefined) return undefined;
  if (isValidEndpoint(endpoint)) return endpoint;
  ctx.sink.error(
    loc(ctx, getNode(m, 'endpoint')),
    childPath(path, 'endpoint'),
    'invalid-url',
    /\s/.test(endpoint)
      ? `"endpoint" of ${what} holds whitespace: ${JSON.stringify(endpoint)}`
      : `"endpoint" of ${what} must be an http:// or https:// URL or host:port, got ${JSON.stringify(endpoint)}`,
    `for example: ${example}`,
  );
  return undefined;
}

function readEnum<T extends string>(
  ctx: ReadCtx,
  m: AnyMap,
  path: string,
  key: string,
  allowed: readonly T[],
  what: string,
  required?: string,
): T | undefined {
  const v = readString(ctx, m, path, key, { what, ...(required ? { required } : {}) });
  if (v === undefined) return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  ctx.sink.error(
    loc(ctx, getNode(m, key)),
    childPath(path, key),
    'invalid-value',
    `"${key}" of ${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
  );
  return undefined;
}

export function readPrometheusMetrics(ctx: ReadCtx, spec: AnyMap): PrometheusMetrics | undefined {
  const m = readMap(ctx, spec, 'spec', 'prometheus_metrics');
  if (!m) return undefined;
  const path = 'spec.prometheus_metrics';
  const what = 'prometheus_metrics';
  checkKeys(ctx, m, path, [...PROMETHEUS_METRICS_FIELDS, ...CREDENTIAL_KEYS], what);
  refuseCredentials(ctx, m, path, what);
  const endpoint = readEndpoint(ctx, m, path, what, EXAMPLES['prometheus_metrics.endpoint']!);
  const credentialName = readString(ctx, m, path, 'credential_name', { what });
  const flavor = readEnum(ctx, m, path, 'flavor', PROMETHEUS_FLAVORS, what);
  const verifySsl = readBool(ctx, m, path, 'verify_ssl') ?? true;
  if (endpoint === undefined) return undefined;
  return {
    endpoint,
    ...(credentialName !== undefined ? { credentialName } : {}),
    flavor: flavor ?? 'self_hosted',
    verifySsl,
  };
}

function readFieldMappings(ctx: ReadCtx, m: AnyMap, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const fm = readMap(ctx, m, path, 'field_mappings', 'a mapping of field: source field');
  if (!fm) return out;
  const fpath = childPath(path, 'field_mappings');
  for (const p of fm.items) {
    const k = isScalar(p.key) ? String(p.key.value) : undefined;
    if (k === undefined || !isScalar(p.value) || typeof p.value.value !== 'string') {
      wrongType(
        ctx,
        isMap(p.value) ? p.value : (p.value ?? p.key),
        childPath(fpath, k ?? '?'),
        k ?? 'field',
        'a string',
      );
      continue;
    }
    out[k] = p.value.value;
  }
  return out;
}

export function readLogSource(ctx: ReadCtx, spec: AnyMap): LogSource | undefined {
  const m = readMap(ctx, spec, 'spec', 'log_source');
  if (!m) return undefined;
  const path = 'spec.log_source';
  const what = 'log_source';
  checkKeys(ctx, m, path, [...LOG_SOURCE_FIELDS, ...CREDENTIAL_KEYS], what);
  refuseCredentials(ctx, m, path, what);
  const provider = readEnum(ctx, m, path, 'provider', LOG_PROVIDERS, what, EXAMPLES['log_source.provider']!);
  const endpoint = readEndpoint(ctx, m, path, what, EXAMPLES['log_source.endpoint']!);
  const credentialName = readString(ctx, m, path, 'credential_name', { what });
  const tenantId = readString(ctx, m, path, 'tenant_id', { what });
  const indexPattern = readString(ctx, m, path, 'index_pattern', { what });
  const fieldMappings = readFieldMappings(ctx, m, path);
  const verifySsl = readBool(ctx, m, path, 'verify_ssl') ?? true;
  if (provider === undefined || endpoint === undefined) return undefined;
  return {
    provider,
    endpoint,
    ...(credentialName !== undefined ? { credentialName } : {}),
    ...(tenantId !== undefined ? { tenantId } : {}),
    ...(indexPattern !== undefined ? { indexPattern } : {}),
    fieldMappings,
    verifySsl,
  };
}
