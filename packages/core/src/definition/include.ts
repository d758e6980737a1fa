/**
 * `- include: DIR/` and `- include: FILE.yaml` inside `manifests:` and
 * `addons:`. A folder is read recursively (`.yaml` and `.yml`), files in
 * sorted path order. Under `manifests:` a file of Kubernetes objects becomes
 * one manifest named after the file; a file of manifest entries adds those.
 * Under `addons:` a file holds one entry (a mapping) or several (a list).
 *
 * Entries produced by an include get the path of the include entry followed
 * by `.include[K]`, K counting the entries the include produced (across its
 * files, in order): `spec.stacks[0].addons[2].include[3].chart_version`. The
 * diagnostic's file is the included file. Includes may nest; a file that
 * includes itself (directly or not) is an `include-cycle` error.
 */
import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { describeResolved, missingPathHint, resolveRepoPath } from './content.ts';
import type { LoadState } from './drafts.ts';
import { isYamlPath, repoBasenameWithoutExt } from './fileSource.ts';
import type { MemberKind } from './model.ts';
import { fileOrigin, locate, type ParsedText, parseYamlText } from './positions.ts';
import {
  type AnyMap,
  checkKeys,
  childPath,
  describeNode,
  getNode,
  loc,
  type ReadCtx,
  wrongType,
} from './reader.ts';
import { INCLUDE_FIELDS } from './schema.ts';

/** Reads one entry found in an included file (a mapping, maybe itself an include). */
export type EntryReader = (ctx: ReadCtx, node: unknown, path: string, visiting: ReadonlySet<string>) => void;

/** The files an include names: the file itself, or the YAML files below a folder. */
export function includeTargets(
  state: LoadState,
  target: string,
): { files: string[]; kind: 'file' | 'folder' | 'missing' } {
  if (state.source.readFile(target) !== undefined) return { files: [target], kind: 'file' };
  if (!state.source.exists(target)) return { files: [], kind: 'missing' };
  const files = state.source
    .listFiles(target)
    .filter(isYamlPath)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files, kind: 'folder' };
}

function isKubeObject(node: unknown): boolean {
  if (!isMap(node)) return false;
  const m = node as AnyMap;
  return getNode(m, 'apiVersion') !== undefined && getNode(m, 'kind') !== undefined;
}

export function expandInclude(
  state: LoadState,
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  kind: MemberKind,
  visiting: ReadonlySet<string>,
  readEntry: EntryReader,
  objectsFile?: (pt: ParsedText, file: string, name: string, path: string) => void,
): void {
  checkKeys(ctx, map, path, INCLUDE_FIELDS, 'include entry');
  const node = getNode(map, 'include');
  const ipath = childPath(path, 'include');
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
    wrongType(
      ctx,
      node,
      ipath,
      'include',
      'a folder (DIR/) or a YAML file relative to the folder of the cluster definition',
    );
    return;
  }
  const target = resolveRepoPath(state, ctx, node as Scalar, ipath, 'include');
  if (target === undefined) return;
  const { files, kind: tkind } = includeTargets(state, target);
  if (tkind === 'missing') {
    ctx.sink.error(
      loc(ctx, node),
      ipath,
      'include-not-found',
      `include names ${describeResolved(String(node.value), target)}, which does not exist in the ${state.rootLabel}`,
      missingPathHint(state, ctx, String(node.value)),
    );
    return;
  }
  if (files.length === 0) {
    ctx.sink.warning(
      loc(ctx, node),
      ipath,
      'include-empty',
      `included folder ${JSON.stringify(target)} holds no .yaml or .yml file`,
    );
    return;
  }
  let k = 0;
  const nextPath = (): string => childPath(ipath, k++);
  for (const file of files) {
    if (visiting.has(file)) {
      ctx.sink.error(
        loc(ctx, node),
        ipath,
        'include-cycle',
        `include of ${JSON.stringify(file)} forms a cycle: ${[...visiting, file].join(' → ')}`,
      );
      continue;
    }
    const text = state.source.readFile(file);
    if (text === undefined) continue;
    state.files.add(file);
    const pt = parseYamlText(text, fileOrigin(file), state.sink, ipath, true);
    if (!pt) continue;
    const inner: ReadCtx = { pt, sink: state.sink };
    const v = new Set(visiting).add(file);
    const roots = pt.docs
      .map((d) => d.contents)
      .filter((r) => !(r === null || (isScalar(r) && r.value === null)));
    if (roots.length === 0) {
      state.sink.warning(
        pt.origin.map(1, 1),
        ipath,
        'include-empty',
        `included file ${JSON.stringify(file)} is empty`,
      );
      continue;
    }
    if (kind === 'manifest' && roots.some(isKubeObject)) {
      if (!roots.every(isKubeObject)) {
        const bad = roots.find((r) => !isKubeObject(r));
        state.sink.error(
          locate(pt, bad as never),
          ipath,
          'include-invalid',
          `included file ${JSON.stringify(file)} mixes Kubernetes objects with other documents: every document needs apiVersion and kind`,
        );
        continue;
      }
      objectsFile?.(pt, file, repoBasenameWithoutExt(file), nextPath());
      continue;
    }
    for (const root of roots) {
      const items = isSeq(root) ? root.items : [root];
      for (const item of items) {
        if (!isMap(item)) {
          state.sink.error(
            locate(pt, item as never),
            ipath,
            'include-invalid',
            kind === 'manifest'
              ? `included file ${JSON.stringify(file)} must hold Kubernetes objects or manifest entries (mappings with name:), got ${describeNode(item)}`
              : `included file ${JSON.stringify(file)} must hold an add-on entry (a mapping) or a list of them, got ${describeNode(item)}`,
          );
          continue;
        }
        readEntry(inner, item, nextPath(), v);
      }
    }
  }
}
