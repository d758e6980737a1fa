import type { PathSegment } from './pointer.ts';

/** Computes the identity of an array element, or undefined when it has none. */
export type ElementKey = (element: unknown) => string | undefined;

function rec(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

const byField =
  (field: string): ElementKey =>
  (el) => {
    const v = rec(el)?.[field];
    return v === undefined || v === null ? undefined : String(v);
  };

/** Container ports merge by containerPort + protocol (TCP when omitted, as the API server defaults). */
const containerPortKey: ElementKey = (el) => {
  const r = rec(el);
  if (r?.containerPort === undefined) return undefined;
  return `${String(r.containerPort)}/${String(r.protocol ?? 'TCP')}`;
};

/** Service ports merge by port + protocol. */
const servicePortKey: ElementKey = (el) => {
  const r = rec(el);
  if (r?.port === undefined) return undefined;
  return `${String(r.port)}/${String(r.protocol ?? 'TCP')}`;
};

/** Lists with a fixed merge key regardless of content (strategic-merge-patch keys of the core types). */
const FIXED_KEYS: Readonly<Record<string, ElementKey>> = {
  volumeMounts: byField('mountPath'),
  volumeDevices: byField('devicePath'),
  hostAliases: byField('ip'),
  conditions: byField('type'),
};

/**
 * How to match elements of the array at `path` between desired and live, or undefined to compare them
 * by position. Lists of objects whose desired elements all carry a distinct `name` (containers,
 * initContainers, env, volumes, imagePullSecrets, most CRD lists) merge by name; ports merge by
 * port number + protocol; a few core lists by their strategic-merge key.
 */
export function mergeKeyFor(
  path: readonly PathSegment[],
  desired: readonly unknown[],
): ElementKey | undefined {
  if (desired.length === 0 || !desired.every((e) => rec(e) !== undefined)) return undefined;
  const last = path[path.length - 1];
  const unique = (key: ElementKey): ElementKey | undefined => {
    const keys = desired.map(key);
    if (keys.some((k) => k === undefined)) return undefined;
    return new Set(keys).size === keys.length ? key : undefined;
  };
  if (last === 'ports') {
    if (desired.every((e) => rec(e)?.containerPort !== undefined)) return unique(containerPortKey);
    if (desired.every((e) => rec(e)?.port !== undefined)) return unique(servicePortKey);
  }
  if (typeof last === 'string' && FIXED_KEYS[last]) return unique(FIXED_KEYS[last]);
  return unique(byField('name'));
}
