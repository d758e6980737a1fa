import { mergeKeyFor } from './mergeKeys.ts';
import { formatPointer, type PathSegment } from './pointer.ts';
import { quantitiesEqual } from './quantity.ts';

/** What a change does to the live object to restore the desired one. */
export type ChangeOp = 'add' | 'remove' | 'replace';

/** One difference between desired and live. */
export type DiffChange = {
  /** JSON pointer into the live object ("/spec/replicas"; "/…/containers/-" appends). */
  path: string;
  op: ChangeOp;
  /** The desired value (absent for `remove`). */
  desired?: unknown;
  /** The live value (absent for `add`). */
  live?: unknown;
};

/** Path segments under which scalar values are compared as resource quantities. */
const QUANTITY_CONTEXT = new Set(['resources', 'hard', 'capacity', 'allocatable', 'overhead']);
const QUANTITY_KEYS = new Set(['sizeLimit', 'storage']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An empty object or array (or null) in a manifest constrains nothing: `{}` and absent are equal. */
function isVacuous(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isRecord(v)) return Object.values(v).every(isVacuous);
  return false;
}

/**
 * Equality of two scalars as Kubernetes sees them: identical; an int-or-string written either way
 * (`8080` = `"8080"`); resource quantities in resource context (`"1000m"` = `"1"` = `1`, `"1Gi"` = `"1024Mi"`).
 */
export function scalarsEqual(desired: unknown, live: unknown, path: readonly PathSegment[]): boolean {
  if (desired === live) return true;
  if (
    (typeof desired === 'number' && typeof live === 'string') ||
    (typeof desired === 'string' && typeof live === 'number')
  ) {
    if (String(desired) === String(live)) return true;
  }
  const last = path[path.length - 1];
  const inQuantityContext =
    path.some((s) => typeof s === 'string' && QUANTITY_CONTEXT.has(s)) ||
    (typeof last === 'string' && QUANTITY_KEYS.has(last));
  return inQuantityContext && quantitiesEqual(desired, live);
}

/**
 * Differences where the live object fails to contain the desired one. Only fields present in `desired`
 * are compared, so fields the API server defaults (or controllers add) are never drift. Arrays of
 * keyed objects merge by key (see `mergeKeyFor`), extra live elements being drift; other arrays compare
 * by position and must have the same length. Maps whose pointer is in `options.exactMaps` (a ConfigMap's
 * `/data`) must match key for key: extra live keys there are drift too.
 */
export function compareSubset(
  desired: unknown,
  live: unknown,
  options: { exactMaps?: ReadonlySet<string> } = {},
): DiffChange[] {
  const ctx: Ctx = { out: [], removes: [], exactMaps: options.exactMaps ?? new Set() };
  walk(desired, live, [], ctx);
  return [...ctx.out, ...ctx.removes];
}

/** Accumulators of one comparison: removals are kept apart so they can go last. */
type Ctx = { out: DiffChange[]; removes: DiffChange[]; exactMaps: ReadonlySet<string> };

/**
 * A zero scalar (`0`, `false`, `""`) that the live object lacks: the API server drops zero values of
 * `omitempty` fields (`minReadySeconds: 0`, `hostNetwork: false`), so absent means the same. Not in an
 * exact map (a ConfigMap's `data` keeps `""`), where a missing key is a missing key.
 */
function omittedZero(desired: unknown, path: readonly PathSegment[], ctx: Ctx): boolean {
  if (desired !== 0 && desired !== false && desired !== '') return false;
  return !ctx.exactMaps.has(formatPointer(path.slice(0, -1)));
}

function walk(desired: unknown, live: unknown, path: PathSegment[], ctx: Ctx): void {
  if (desired === undefined || desired === null) return;
  if (live === undefined || live === null) {
    if (!isVacuous(desired) && !omittedZero(desired, path, ctx))
      ctx.out.push({ path: formatPointer(path), op: 'add', desired });
    return;
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) {
      ctx.out.push({ path: formatPointer(path), op: 'replace', desired, live });
      return;
    }
    for (const [k, v] of Object.entries(desired)) walk(v, live[k], [...path, k], ctx);
    if (ctx.exactMaps.has(formatPointer(path))) {
      for (const [k, v] of Object.entries(live)) {
        if (!Object.hasOwn(desired, k))
          ctx.removes.push({ path: formatPointer([...path, k]), op: 'remove', live: v });
      }
    }
    return;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) {
      ctx.out.push({ path: formatPointer(path), op: 'replace', desired, live });
      return;
    }
    walkArray(desired, live, path, ctx);
    return;
  }
  if (!scalarsEqual(desired, live, path))
    ctx.out.push({ path: formatPointer(path), op: 'replace', desired, live });
}

function walkArray(desired: unknown[], live: unknown[], path: PathSegment[], ctx: Ctx): void {
  const key = mergeKeyFor(path, desired);
  const extra: number[] = [];
  if (key) {
    const liveIndex = new Map<string, number>();
    live.forEach((el, i) => {
      const k = key(el);
      if (k !== undefined && !liveIndex.has(k)) liveIndex.set(k, i);
    });
    const wanted = new Set<string>();
    for (const el of desired) {
      const k = key(el) as string;
      wanted.add(k);
      const i = liveIndex.get(k);
      if (i === undefined) ctx.out.push({ path: formatPointer([...path, '-']), op: 'add', desired: el });
      else walk(el, live[i], [...path, i], ctx);
    }
    live.forEach((el, i) => {
      const k = key(el);
      if (k === undefined || !wanted.has(k) || liveIndex.get(k) !== i) extra.push(i);
    });
  } else {
    desired.forEach((el, i) => {
      if (i < live.length) walk(el, live[i], [...path, i], ctx);
      else ctx.out.push({ path: formatPointer([...path, i]), op: 'add', desired: el });
    });
    for (let i = desired.length; i < live.length; i++) extra.push(i);
  }
  for (const i of extra.reverse())
    ctx.removes.push({ path: formatPointer([...path, i]), op: 'remove', live: live[i] });
}
