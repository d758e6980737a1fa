import type { PathSegment } from './pointer.ts';

/** One entry of `metadata.managedFields` (server-side apply field ownership). */
export type ManagedFieldsEntry = {
  manager?: string;
  operation?: 'Apply' | 'Update' | string;
  apiVersion?: string;
  fieldsType?: 'FieldsV1' | string;
  fieldsV1?: unknown;
  subresource?: string;
  time?: string;
};

/** One step of a fieldsV1 path: `f:name`, `k:{"name":"x"}`, `v:"value"` or `i:3`. */
export type FieldStep =
  | { kind: 'field'; name: string }
  | { kind: 'key'; key: Record<string, unknown> }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number };

function parseStep(raw: string): FieldStep | undefined {
  const body = raw.slice(2);
  try {
    if (raw.startsWith('f:')) return { kind: 'field', name: body };
    if (raw.startsWith('k:')) return { kind: 'key', key: JSON.parse(body) as Record<string, unknown> };
    if (raw.startsWith('v:')) return { kind: 'value', value: JSON.parse(body) };
    if (raw.startsWith('i:')) return { kind: 'index', index: Number(body) };
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Leaf paths owned by the given managers, from fieldsV1 trees. A leaf is a node with no f:/k:/v:/i:
 * children. Fields that are the merge key of their list element (`f:name` under `k:{"name":…}`) are left
 * out: they identify the element rather than configure it.
 */
export function ownedFieldPaths(
  entries: readonly ManagedFieldsEntry[],
  managers: readonly string[],
): FieldStep[][] {
  const wanted = new Set(managers);
  const out: FieldStep[][] = [];
  const visit = (node: unknown, steps: FieldStep[]) => {
    const children = node && typeof node === 'object' ? Object.keys(node).filter((k) => k !== '.') : [];
    if (children.length === 0) {
      if (steps.length > 0) out.push(steps);
      return;
    }
    const parent = steps[steps.length - 1];
    for (const raw of children) {
      const step = parseStep(raw);
      if (!step) continue;
      if (step.kind === 'field' && parent?.kind === 'key' && Object.hasOwn(parent.key, step.name)) {
        const sub = (node as Record<string, unknown>)[raw];
        if (!sub || typeof sub !== 'object' || Object.keys(sub).length === 0) continue;
      }
      visit((node as Record<string, unknown>)[raw], [...steps, step]);
    }
  };
  for (const e of entries) {
    if (e.manager === undefined || !wanted.has(e.manager)) continue;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') continue;
    visit(e.fieldsV1, []);
  }
  return out;
}

function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string')) {
    return String(a) === String(b);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The concrete path of a fieldsV1 path inside `doc` (keyed and value steps resolved against this
 * document's arrays), or undefined when the document does not hold it.
 */
export function resolveFieldPath(doc: unknown, steps: readonly FieldStep[]): PathSegment[] | undefined {
  const out: PathSegment[] = [];
  let cur: unknown = doc;
  for (const step of steps) {
    if (step.kind === 'field') {
      if (!cur || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, step.name))
        return undefined;
      out.push(step.name);
      cur = (cur as Record<string, unknown>)[step.name];
      continue;
    }
    if (!Array.isArray(cur)) return undefined;
    let i = -1;
    if (step.kind === 'index') i = step.index < cur.length ? step.index : -1;
    else if (step.kind === 'value') i = cur.findIndex((el) => looseEqual(el, step.value));
    else {
      const key = step.key;
      i = cur.findIndex(
        (el) =>
          el !== null &&
          typeof el === 'object' &&
          Object.entries(key).every(([k, v]) => {
            const actual = (el as Record<string, unknown>)[k];
            // the API server defaults a port's protocol to TCP, so a manifest may leave it out
            return looseEqual(actual === undefined && k === 'protocol' ? 'TCP' : actual, v);
          }),
      );
    }
    if (i < 0) return undefined;
    out.push(i);
    cur = cur[i];
  }
  return out;
}
