/** Small, total readers over untyped JSON: they never throw and return `undefined` on mismatch. */

export type JsonRecord = Record<string, unknown>;

export function asRecord(v: unknown): JsonRecord | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonRecord) : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Reads a nested field: `field(obj, 'status', 'readyReplicas')`. */
export function field(obj: unknown, ...keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    const r = asRecord(cur);
    if (!r) return undefined;
    cur = r[k];
  }
  return cur;
}

export function numField(obj: unknown, ...keys: string[]): number | undefined {
  return asNumber(field(obj, ...keys));
}

export function strField(obj: unknown, ...keys: string[]): string | undefined {
  return asString(field(obj, ...keys));
}

/** One entry of `status.conditions`. */
export type Condition = {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
};

/** `status.conditions` as typed entries (entries without a `type` are dropped). */
export function conditions(obj: unknown): Condition[] {
  const out: Condition[] = [];
  for (const c of asArray(field(obj, 'status', 'conditions'))) {
    const r = asRecord(c);
    const type = asString(r?.type);
    if (!r || !type) continue;
    out.push({
      type,
      status: asString(r.status) ?? 'Unknown',
      reason: asString(r.reason),
      message: asString(r.message),
      observedGeneration: asNumber(r.observedGeneration),
    });
  }
  return out;
}

export function condition(obj: unknown, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}

/** "reason: message", or whichever of the two is present. */
export function conditionText(c: Condition | undefined): string {
  if (!c) return '';
  return [c.reason, c.message].filter((s) => s !== undefined && s !== '').join(': ');
}

/** `metadata.generation` and `status.observedGeneration`; lag is true when the controller has not caught up. */
export function generationLag(obj: unknown): { generation?: number; observed?: number; lag: boolean } {
  const generation = numField(obj, 'metadata', 'generation');
  const observed = numField(obj, 'status', 'observedGeneration');
  const lag = generation !== undefined && observed !== undefined && observed < generation;
  return { generation, observed, lag };
}
