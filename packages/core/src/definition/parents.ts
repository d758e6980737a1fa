/**
 * Parent entries (`parents:` and `dependencies_override:`): `- manifest: x`,
 * `- addon: y`, `- application: z`, or `- name: x` with `kind:`.
 */
import { isMap } from 'yaml';
import type { ParentDraft } from './drafts.ts';
import {
  type AnyMap,
  checkKeys,
  childPath,
  describeNode,
  getNode,
  getPair,
  loc,
  mapLoc,
  type ReadCtx,
  readSeq,
  readString,
} from './reader.ts';
import { EXAMPLES, PARENT_FIELDS } from './schema.ts';

export function readParents(ctx: ReadCtx, map: AnyMap, path: string, key = 'parents'): ParentDraft[] {
  const seq = readSeq(ctx, map, path, key, 'a list such as [{ manifest: my-namespace }]');
  const out: ParentDraft[] = [];
  if (!seq) return out;
  const listPath = childPath(path, key);
  seq.items.forEach((item, i) => {
    const p = childPath(listPath, i);
    if (!isMap(item)) {
      ctx.sink.error(
        loc(ctx, item),
        p,
        'wrong-type',
        `${key}[${i}] must be a mapping such as { manifest: NAME } or { addon: NAME }, got ${describeNode(item)}`,
      );
      return;
    }
    const m = item as AnyMap;
    const what = 'parent entry';
    checkKeys(ctx, m, p, PARENT_FIELDS, what);
    const forms = (['manifest', 'addon', 'application', 'name'] as const).filter((k) => getPair(m, k));
    if (forms.length > 1) {
      ctx.sink.error(
        loc(ctx, getPair(m, forms[1]!)!.key),
        childPath(p, forms[1]!),
        'conflicting-fields',
        `a parent entry holds exactly one of "manifest", "addon" or "name" + "kind", got ${forms.map((f) => `"${f}"`).join(' and ')}`,
      );
      return;
    }
    if (forms[0] === 'manifest' || forms[0] === 'addon' || forms[0] === 'application') {
      const kind = forms[0];
      if (getPair(m, 'kind'))
        ctx.sink.error(
          loc(ctx, getPair(m, 'kind')!.key),
          childPath(p, 'kind'),
          'conflicting-fields',
          `"kind" goes with "name", not with "${kind}": write { ${kind}: NAME }`,
        );
      const name = readString(ctx, m, p, kind, { what, required: `${kind}: my-${kind}` });
      if (name !== undefined)
        out.push({ kind, name, loc: loc(ctx, getNode(m, kind)), path: childPath(p, kind) });
      return;
    }
    if (forms.length === 0) {
      ctx.sink.error(
        mapLoc(ctx, m),
        p,
        'missing-field',
        `parent entry needs "manifest", "addon" or "name" + "kind" (for example: - manifest: namespace-logging)`,
      );
      return;
    }
    const name = readString(ctx, m, p, 'name', { what, required: EXAMPLES['parent.name']! });
    const kind = readString(ctx, m, p, 'kind', { what, required: EXAMPLES['parent.kind']! });
    if (kind !== undefined && kind !== 'manifest' && kind !== 'addon' && kind !== 'application') {
      ctx.sink.error(
        loc(ctx, getNode(m, 'kind')),
        childPath(p, 'kind'),
        'invalid-value',
        `parent kind must be "manifest", "addon" or "application", got ${JSON.stringify(kind)}`,
      );
      return;
    }
    if (name !== undefined && kind !== undefined)
      out.push({ kind, name, loc: loc(ctx, getNode(m, 'name')), path: childPath(p, 'name') });
  });
  return out;
}
