/**
 * Content hashes: a stable SHA-256 per member over a canonical JSON (sorted
 * keys, no whitespace) of what a deploy depends on, so an unchanged member can
 * be skipped. Source file, line, stack, parents and scheduling settings
 * (retry policy, sync window, job timeouts) are left out: moving a member or
 * changing when it may sync does not change what gets deployed.
 */
import type { Member } from './model.ts';
import { sha256Hex } from './sha256.ts';

/** JSON with object keys sorted at every level; `undefined` fields dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** What a member's deploy depends on. */
export function hashInput(m: Member): unknown {
  if (m.kind === 'manifest')
    return {
      kind: 'manifest',
      name: m.name,
      namespace: m.namespace,
      objects: m.objects,
      force: m.force,
      autoRemediate: m.autoRemediate,
    };
  const s = m.settings;
  return {
    kind: 'addon',
    name: m.name,
    namespace: m.namespace,
    chart: { name: m.chart.name, version: m.chart.version, registry: m.chart.registry.url },
    // layered values files count too (absent ones leave the hash as it was)
    values: m.values.layers?.length
      ? { layers: m.values.layers.map((l) => l.parsed), values: m.values.parsed }
      : m.values.parsed,
    settings: {
      engine: s.engine,
      syncPolicy: s.syncPolicy,
      strictHealthCheck: s.strictHealthCheck,
      revisionHistoryLimit: s.revisionHistoryLimit,
      ignoreDifferences: s.ignoreDifferences,
    },
  };
}

/** Hex SHA-256 of the member's canonical content. */
export function memberContentHash(m: Member): string {
  return sha256Hex(canonicalJson(hashInput(m)));
}
