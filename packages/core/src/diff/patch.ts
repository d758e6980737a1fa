import type { DiffChange } from './compare.ts';

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/**
 * The RFC 6902 patch that turns the live object back into one containing the desired fields. Removals
 * come last (array elements from the highest index down), so earlier indices stay valid.
 */
export function changesToPatch(changes: readonly DiffChange[]): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  const removes: JsonPatchOperation[] = [];
  for (const c of changes) {
    if (c.op === 'remove') removes.push({ op: 'remove', path: c.path });
    else ops.push({ op: c.op, path: c.path, value: c.desired });
  }
  return [...ops, ...removes];
}
