/**
 * Small typed readers over YAML nodes that report problems instead of
 * throwing: each returns the value when it is valid and undefined otherwise,
 * after adding a diagnostic positioned on the offending key or value.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { DiagnosticSink, Location } from './diagnostics.ts';
import { locate, type ParsedText } from './positions.ts';
import { suggest } from './suggest.ts';

export interface ReadCtx {
  pt: ParsedText;
  sink: DiagnosticSink;
}

export type AnyMap = YAMLMap<unknown, unknown>;
export type AnySeq = YAMLSeq<unknown>;

/** A short phrase for a node's type, for "must be X, got Y" messages. */
export function describeNode(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'number') return `the number ${scalarSource(node)}`;
    if (typeof v === 'boolean') return `the boolean ${String(v)}`;
    if (typeof v === 'string') return `the string ${JSON.stringify(truncate(v, 40))}`;
  }
  return 'an unsupported value';
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** The scalar as written (for plain scalars) or its value as a string. */
export function scalarSource(node: Scalar): string {
  return typeof node.source === 'string' && node.type === Scalar.PLAIN ? node.source : String(node.value);
}

export function isNullNode(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function loc(ctx: ReadCtx, node: unknown): Location {
  return locate(ctx.pt, node as Node | null);
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** The pair with a scalar key equal to `key`. */
export function getPair(map: AnyMap, key: string): Pair<unknown, unknown> | undefined {
  for (const p of map.items) if (isScalar(p.key) && p.key.value === key) return p;
  return undefined;
}

/** The value node of `key` (undefined when absent; a null scalar when empty). */
export function getNode(map: AnyMap, key: string): unknown {
  return getPair(map, key)?.value ?? undefined;
}

/** True when `key` is present with a non-null value. */
export function has(map: AnyMap, key: string): boolean {
  const p = getPair(map, key);
  return p !== undefined && !isNullNode(p.value);
}

/** The start of a mapping: used for "missing field" (points at the entry). */
export function mapLoc(ctx: ReadCtx, map: AnyMap): Location {
  return loc(ctx, map);
}

/** Reports every key not in `known`, with a suggestion when one is close. */
export function checkKeys(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  known: readonly string[],
  what: string,
): void {
  for (const p of map.items) {
    const keyNode = p.key;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      ctx.sink.error(
        loc(ctx, keyNode),
        path,
        'wrong-type',
        `field names in ${what} must be strings, got ${describeNode(keyNode)}`,
      );
      continue;
    }
    const key = keyNode.value;
    if (known.includes(key)) continue;
    const guess = suggest(key, known);
    ctx.sink.error(
      loc(ctx, keyNode),
      childPath(path, key),
      'unknown-field',
      `unknown field "${key}" in ${what}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      `known fields: ${known.join(', ')}`,
    );
  }
}

export function missing(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  key: string,
  what: string,
  example: string,
): void {
  const p = getPair(map, key);
  const at = p ? loc(ctx, p.key) : mapLoc(ctx, map);
  ctx.sink.error(
    at,
    childPath(path, key),
    'missing-field',
    `missing required field "${key}" in ${what} (for example: ${example})`,
  );
}

export function wrongType(ctx: ReadCtx, node: unknown, path: string, key: string, expected: string): void {
  ctx.sink.error(
    loc(ctx, node),
    path,
    'wrong-type',
    `"${key}" must be ${expected}, got ${describeNode(node)}`,
  );
}

export interface FieldOpts {
  what: string;
  /** Present → the field is required, and this example is shown when it is missing. */
  required?: string;
}

/** A string field. Numbers and booleans are not strings (quote them). */
export function readString(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  key: string,
  opts: FieldOpts,
): string | undefined {
  const node = getNode(map, key);
  const p = childPath(path, key);
  if (isNullNode(node)) {
    if (opts.required) missing(ctx, map, path, key, opts.what, opts.required);
    return undefined;
  }
  if (isScalar(node) && typeof node.value === 'string') {
    if (node.value.trim() === '' && opts.required) {
      missing(ctx, map, path, key, opts.what, opts.required);
      return undefined;
    }
    return node.value;
  }
  wrongType(ctx, node, p, key, 'a string');
  return undefined;
}

/** A string field that also accepts a number or boolean scalar (converted to its source text). */
export function readScalarText(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  key: string,
  opts: FieldOpts,
): string | undefined {
  const node = getNode(map, key);
  if (isNullNode(node)) {
    if (opts.required) missing(ctx, map, path, key, opts.what, opts.required);
    return undefined;
  }
  if (isScalar(node) && node.value !== null && typeof node.value !== 'object') return scalarSource(node);
  wrongType(ctx, node, childPath(path, key), key, 'a string');
  return undefined;
}

export function readBool(ctx: ReadCtx, map: AnyMap, path: string, key: string): boolean | undefined {
  const node = getNode(map, key);
  if (isNullNode(node)) return undefined;
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  wrongType(ctx, node, childPath(path, key), key, 'true or false');
  return undefined;
}

/** A number within limits; `integer` rejects fractions. */
export function readNumber(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  key: string,
  limits: { min: number; max: number; integer: boolean },
): number | undefined {
  const node = getNode(map, key);
  if (isNullNode(node)) return undefined;
  const p = childPath(path, key);
  const expected = limits.integer ? 'an integer' : 'a number';
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) {
    wrongType(ctx, node, p, key, expected);
    return undefined;
  }
  const v = node.value;
  if (limits.integer && !Number.isInteger(v)) {
    wrongType(ctx, node, p, key, expected);
    return undefined;
  }
  if (v < limits.min || v > limits.max) {
    const range =
      limits.max >= Number.MAX_SAFE_INTEGER ? `>= ${limits.min}` : `between ${limits.min} and ${limits.max}`;
    ctx.sink.error(loc(ctx, node), p, 'out-of-range', `"${key}" must be ${range}, got ${scalarSource(node)}`);
    return undefined;
  }
  return v;
}

/** The node at `key` when `is` accepts it; undefined when absent, reported when present but of another type. */
function readNodeOf<T>(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  key: string,
  expected: string,
  is: (node: unknown) => boolean,
): T | undefined {
  const node = getNode(map, key);
  if (isNullNode(node)) return undefined;
  if (is(node)) return node as T;
  wrongType(ctx, node, childPath(path, key), key, expected);
  return undefined;
}

/** A list node, or undefined (reported when present but not a list). */
export function readSeq(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  key: string,
  expected = 'a list',
): AnySeq | undefined {
  return readNodeOf<AnySeq>(ctx, map, path, key, expected, isSeq);
}

/** A mapping node, or undefined (reported when present but not a mapping). */
export function readMap(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  key: string,
  expected = 'a mapping',
): AnyMap | undefined {
  return readNodeOf<AnyMap>(ctx, map, path, key, expected, isMap);
}

/** A list of strings; each bad item is reported. */
export function readStringList(ctx: ReadCtx, map: AnyMap, path: string, key: string): string[] | undefined {
  const seq = readSeq(ctx, map, path, key, 'a list of strings');
  if (!seq) return undefined;
  const out: string[] = [];
  seq.items.forEach((item, i) => {
    if (isScalar(item) && typeof item.value === 'string') out.push(item.value);
    else wrongType(ctx, item, childPath(childPath(path, key), i), `${key}[${i}]`, 'a string');
  });
  return out;
}
