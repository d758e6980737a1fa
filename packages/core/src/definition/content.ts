/**
 * Member content: text from `from_file`, an inline scalar or base64, with
 * stack variables substituted and an Origin that maps positions back to the
 * file the text was written in.
 */
import { isScalar, type Scalar } from 'yaml';
import type { LoadState } from './drafts.ts';
import { InvalidRepoPathError, normalizeRepoPath, repoDirname } from './fileSource.ts';
import { fileOrigin, fixedOrigin, type Origin, offsetToLineCol, scalarContentOrigin } from './positions.ts';
import { childPath, getNode, isNullNode, loc, type ReadCtx, wrongType } from './reader.ts';
import { suggest } from './suggest.ts';
import { substituteVariables } from './variables.ts';

export interface TextSource {
  text: string;
  origin: Origin;
  /** Set for `from_file` content. */
  file?: string;
  /** Path of the field holding the content, e.g. `...configuration.values`. */
  fieldPath: string;
}

/**
 * Resolves a path written in the definition. Every path is relative to the
 * folder that holds the ImportCluster file (`state.baseDir`), in every file,
 * also inside included files; `../` may reach shared folders but never
 * leaves the root of the file set (the repository, or `--root` outside Git).
 * Reports `invalid-path` for absolute paths and paths that leave the root.
 */
export function resolveRepoPath(
  state: LoadState,
  ctx: ReadCtx,
  node: Scalar,
  path: string,
  key: string,
): string | undefined {
  const written = String(node.value);
  try {
    if (written.replace(/\\/g, '/').startsWith('/') || /^[A-Za-z]:[\\/]/.test(written))
      throw new InvalidRepoPathError(written);
    const p = normalizeRepoPath(joinRepoPath(state.baseDir, written));
    if (p === '') throw new InvalidRepoPathError(written);
    return p;
  } catch (e) {
    if (!(e instanceof InvalidRepoPathError)) throw e;
    ctx.sink.error(
      loc(ctx, node),
      path,
      'invalid-path',
      `"${key}" path ${JSON.stringify(written)} leaves the ${state.rootLabel}: paths are relative to the folder of the cluster definition (${JSON.stringify(state.baseDir || '.')}) and must stay inside the ${state.rootLabel}`,
    );
    return undefined;
  }
}

/** `"written"`, followed by the resolved root-relative path when they differ. */
export function describeResolved(written: string, resolved: string): string {
  const w = JSON.stringify(written);
  return written.replace(/^\.\//, '').replace(/\/$/, '') === resolved
    ? w
    : `${w} (${JSON.stringify(resolved)})`;
}

/** `base` + `/` + `rel` (either may be empty). */
export function joinRepoPath(base: string, rel: string): string {
  if (base === '') return rel;
  return `${base}/${rel}`;
}

/**
 * The hint for a path that does not exist: where it would have been found had
 * it been written relative to the root or to the file that names it, else the
 * rule itself.
 */
export function missingPathHint(state: LoadState, ctx: ReadCtx, written: string): string {
  const rule = `paths are relative to the folder of the cluster definition (${JSON.stringify(state.baseDir || '.')}), in every file`;
  const tryPath = (base: string): string | undefined => {
    try {
      const p = normalizeRepoPath(joinRepoPath(base, written));
      return p !== '' && state.source.exists(p) ? p : undefined;
    } catch {
      return undefined;
    }
  };
  const atRoot = state.baseDir !== '' ? tryPath('') : undefined;
  if (atRoot)
    return `${JSON.stringify(atRoot)} exists relative to the ${state.rootLabel}'s top folder; ${rule}: write ${JSON.stringify(relativeRepoPath(state.baseDir, atRoot))}`;
  const fileDir = repoDirname(ctx.pt.origin.file);
  const atFile = fileDir !== state.baseDir ? tryPath(fileDir) : undefined;
  if (atFile)
    return `${JSON.stringify(atFile)} exists relative to the file that names it (${ctx.pt.origin.file}); ${rule}: write ${JSON.stringify(relativeRepoPath(state.baseDir, atFile))}`;
  return rule;
}

/** The path from folder `from` to `to` (both root-relative), with `../` as needed. */
export function relativeRepoPath(from: string, to: string): string {
  const a = from === '' ? [] : from.split('/');
  const b = to.split('/');
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

/** Reads a file named by a field (`from_file`, `description_from_file`, `agents_md_from_file`). */
export function readFileField(
  state: LoadState,
  ctx: ReadCtx,
  map: Parameters<typeof getNode>[0],
  path: string,
  key: string,
): { text: string; file: string } | undefined {
  const node = getNode(map, key);
  const p = childPath(path, key);
  if (isNullNode(node)) return undefined;
  if (!isScalar(node) || typeof node.value !== 'string') {
    wrongType(ctx, node, p, key, 'a path relative to the folder of the cluster definition');
    return undefined;
  }
  const file = resolveRepoPath(state, ctx, node as Scalar, p, key);
  if (file === undefined) return undefined;
  const text = state.source.readFile(file);
  if (text === undefined) {
    const isDir = state.source.exists(file);
    ctx.sink.error(
      loc(ctx, node),
      p,
      'file-not-found',
      isDir
        ? `"${key}" names ${JSON.stringify(file)}, which is a folder, not a file`
        : `"${key}" names ${describeResolved(String(node.value), file)}, which does not exist in the ${state.rootLabel}`,
      isDir ? undefined : missingPathHint(state, ctx, String(node.value)),
    );
    return undefined;
  }
  state.files.add(file);
  return { text, file };
}

/** Decodes base64 into UTF-8 text; undefined when it is not valid base64 or UTF-8. */
export function decodeBase64(b64: string): string | undefined {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return undefined;
  try {
    const bin = atob(clean);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The text of a content field: `from_file` reads the file, `*_base64`
 * decodes, anything else must be a string scalar (inline YAML).
 */
export function readTextField(
  state: LoadState,
  ctx: ReadCtx,
  map: Parameters<typeof getNode>[0],
  path: string,
  key: string,
): TextSource | undefined {
  const node = getNode(map, key);
  const fieldPath = childPath(path, key);
  if (key === 'from_file') {
    const f = readFileField(state, ctx, map, path, key);
    return f ? { text: f.text, origin: fileOrigin(f.file), file: f.file, fieldPath } : undefined;
  }
  if (!isScalar(node) || typeof node.value !== 'string') {
    wrongType(
      ctx,
      node,
      fieldPath,
      key,
      key.endsWith('_base64') ? 'a base64 string' : 'a YAML text (use a block: |)',
    );
    return undefined;
  }
  if (key.endsWith('_base64')) {
    const text = decodeBase64(node.value);
    if (text === undefined) {
      ctx.sink.error(
        loc(ctx, node),
        fieldPath,
        'invalid-base64',
        `"${key}" is not valid base64-encoded UTF-8 text`,
      );
      return undefined;
    }
    return { text, origin: fixedOrigin(loc(ctx, node)), fieldPath };
  }
  return { text: node.value, origin: scalarContentOrigin(ctx.pt, node as Scalar), fieldPath };
}

/** Substitutes stack variables, reporting each undefined one where it is written. */
export function substituteInText(
  state: LoadState,
  ts: TextSource,
  variables: Readonly<Record<string, string>>,
): TextSource {
  const r = substituteVariables(ts.text, variables);
  for (const u of r.undefinedVariables) {
    const lc = offsetToLineCol(ts.text, u.offset);
    const guess = suggest(u.name, Object.keys(variables));
    state.sink.error(
      ts.origin.map(lc.line, lc.col),
      ts.fieldPath,
      'undefined-variable',
      `undefined variable "${u.name}" in ${u.reference}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      `define it in the stack's variables, e.g. variables: { ${u.name}: value }`,
    );
  }
  return r.text === ts.text ? ts : { ...ts, text: r.text };
}
