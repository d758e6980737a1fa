/**
 * A small, pure jq subset for `jqPathExpressions` in ignore rules: it parses an expression and returns
 * the paths it selects in a document (what jq's `path(expr)` would return).
 *
 * Supported: `.`, `.a.b`, `."k"`, `.a["k"]`, `.a[0]`, `.a[-1]`, `.a[]`, `?`, `..`, `|`, `,`, `( )`,
 * literals (strings, numbers, true, false, null), `==` `!=` `<` `<=` `>` `>=`, `and`, `or`,
 * `select(f)`, `not`, `has(k)`, `startswith(s)`, `endswith(s)`, `contains(x)`, `test(re; flags?)`,
 * `length`, `recurse`. Iterating over null yields nothing (jq would raise an error), so an expression
 * such as `.spec.initContainers[] | …` simply matches nothing on objects without init containers.
 */

import type { PathSegment } from './pointer.ts';

/** An expression outside the supported subset, or a malformed one. */
export class JqError extends Error {
  readonly expression: string;
  constructor(expression: string, reason: string) {
    super(`jq expression "${expression}": ${reason}`);
    this.name = 'JqError';
    this.expression = expression;
  }
}

export type JqAst =
  | { t: 'identity' }
  | { t: 'recurse' }
  | { t: 'field'; target: JqAst; name: string; optional: boolean }
  | { t: 'index'; target: JqAst; index: JqAst; optional: boolean }
  | { t: 'iterate'; target: JqAst; optional: boolean }
  | { t: 'pipe'; left: JqAst; right: JqAst }
  | { t: 'comma'; left: JqAst; right: JqAst }
  | { t: 'literal'; value: unknown }
  | { t: 'binop'; op: BinOp; left: JqAst; right: JqAst }
  | { t: 'call'; name: string; args: JqAst[] };

type BinOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

type Token =
  | { k: 'field'; v: string }
  | { k: 'dot' }
  | { k: 'dotdot' }
  | { k: 'ident'; v: string }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'op'; v: string }
  | { k: 'punct'; v: '[' | ']' | '(' | ')' | '|' | ',' | '?' | ';' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new JqError(src, `${why} at position ${i}`);
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '.') {
      if (src[i + 1] === '.') {
        out.push({ k: 'dotdot' });
        i += 2;
        continue;
      }
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i + 1));
      if (m) {
        out.push({ k: 'field', v: m[0] });
        i += 1 + m[0].length;
      } else {
        out.push({ k: 'dot' });
        i++;
      }
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') {
          const e = src[j + 1];
          if (e === 'u') {
            s += String.fromCharCode(Number.parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
          j += 2;
          continue;
        }
        s += src[j];
        j++;
      }
      if (j >= src.length) fail('unterminated string');
      out.push({ k: 'str', v: s });
      i = j + 1;
      continue;
    }
    const num = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
    if (num && (c !== '-' || !/[\w\])"]/.test(lastSignificant(out)))) {
      out.push({ k: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|<|>)/.exec(src.slice(i));
    if (op) {
      out.push({ k: 'op', v: op[0] });
      i += op[0].length;
      continue;
    }
    if ('[]()|,?;'.includes(c)) {
      out.push({ k: 'punct', v: c as '[' });
      i++;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'ident', v: id[0] });
      i += id[0].length;
      continue;
    }
    fail(`unexpected "${c}"`);
  }
  return out;
}

function lastSignificant(tokens: Token[]): string {
  const t = tokens[tokens.length - 1];
  if (!t) return '';
  if (t.k === 'punct') return t.v;
  if (t.k === 'op') return '';
  return 'x';
}

const FUNCTIONS: Readonly<Record<string, readonly number[]>> = {
  select: [1],
  not: [0],
  has: [1],
  startswith: [1],
  endswith: [1],
  contains: [1],
  test: [1, 2],
  length: [0],
  recurse: [0],
  empty: [0],
};

/** Parses an expression of the supported subset; throws JqError outside it. */
export function parseJq(src: string): JqAst {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (why: string): never => {
    throw new JqError(src, why);
  };
  const isPunct = (v: string, t = peek()): boolean => t?.k === 'punct' && t.v === v;
  const expectPunct = (v: string): void => {
    if (!isPunct(v)) fail(`expected "${v}"`);
    pos++;
  };

  const pipe = (): JqAst => {
    const left = comma();
    if (isPunct('|')) {
      pos++;
      return { t: 'pipe', left, right: pipe() };
    }
    return left;
  };
  const comma = (): JqAst => {
    let left = or();
    while (isPunct(',')) {
      pos++;
      left = { t: 'comma', left, right: or() };
    }
    return left;
  };
  const or = (): JqAst => {
    let left = and();
    while (peek()?.k === 'ident' && (peek() as { v: string }).v === 'or') {
      pos++;
      left = { t: 'binop', op: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): JqAst => {
    let left = cmp();
    while (peek()?.k === 'ident' && (peek() as { v: string }).v === 'and') {
      pos++;
      left = { t: 'binop', op: 'and', left, right: cmp() };
    }
    return left;
  };
  const cmp = (): JqAst => {
    const left = postfix();
    const t = peek();
    if (t?.k === 'op') {
      pos++;
      return { t: 'binop', op: t.v as BinOp, left, right: postfix() };
    }
    return left;
  };
  const suffixes = (target: JqAst): JqAst => {
    let cur = target;
    for (;;) {
      const t = peek();
      if (t?.k === 'field') {
        pos++;
        cur = { t: 'field', target: cur, name: t.v, optional: false };
      } else if (t?.k === 'dot' && tokens[pos + 1]?.k === 'str') {
        pos += 2;
        cur = { t: 'field', target: cur, name: (tokens[pos - 1] as { v: string }).v, optional: false };
      } else if (t?.k === 'dot' && isPunct('[', tokens[pos + 1])) {
        pos++;
      } else if (isPunct('[')) {
        pos++;
        if (isPunct(']')) {
          pos++;
          cur = { t: 'iterate', target: cur, optional: false };
        } else {
          const index = pipe();
          expectPunct(']');
          cur = { t: 'index', target: cur, index, optional: false };
        }
      } else if (isPunct('?')) {
        pos++;
        if (cur.t === 'field' || cur.t === 'index' || cur.t === 'iterate') cur = { ...cur, optional: true };
      } else {
        return cur;
      }
    }
  };
  const postfix = (): JqAst => suffixes(primary());
  const primary = (): JqAst => {
    const t = peek();
    if (!t) return fail('unexpected end of expression');
    pos++;
    switch (t.k) {
      case 'field':
        return { t: 'field', target: { t: 'identity' }, name: t.v, optional: false };
      case 'dot':
        if (peek()?.k === 'str') {
          const name = (peek() as { v: string }).v;
          pos++;
          return { t: 'field', target: { t: 'identity' }, name, optional: false };
        }
        return { t: 'identity' };
      case 'dotdot':
        return { t: 'recurse' };
      case 'str':
        return { t: 'literal', value: t.v };
      case 'num':
        return { t: 'literal', value: t.v };
      case 'punct':
        if (t.v === '(') {
          const inner = pipe();
          expectPunct(')');
          return inner;
        }
        return fail(`unexpected "${t.v}"`);
      case 'ident': {
        if (t.v === 'true') return { t: 'literal', value: true };
        if (t.v === 'false') return { t: 'literal', value: false };
        if (t.v === 'null') return { t: 'literal', value: null };
        const arities = FUNCTIONS[t.v];
        if (!arities) return fail(`unsupported function "${t.v}"`);
        const args: JqAst[] = [];
        if (isPunct('(')) {
          pos++;
          args.push(pipe());
          while (isPunct(';')) {
            pos++;
            args.push(pipe());
          }
          expectPunct(')');
        }
        if (!arities.includes(args.length)) fail(`${t.v} takes ${arities.join(' or ')} argument(s)`);
        return { t: 'call', name: t.v, args };
      }
      default:
        return fail(`unexpected "${t.v}"`);
    }
  };

  const ast = pipe();
  if (pos < tokens.length) fail('unexpected trailing input');
  return ast;
}

/** A value flowing through the evaluator, with its path in the document when it has one. */
type Item = { value: unknown; path: PathSegment[] | null };

function truthy(v: unknown): boolean {
  return v !== false && v !== null && v !== undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  const x = a === undefined ? null : a;
  const y = b === undefined ? null : b;
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  return kx.every((k) => deepEqual((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
}

/** jq's total order: null < false < true < numbers < strings < arrays < objects. */
function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (v === false) return 1;
  if (v === true) return 2;
  if (typeof v === 'number') return 3;
  if (typeof v === 'string') return 4;
  return Array.isArray(v) ? 5 : 6;
}

function compare(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return deepEqual(a, b) ? 0 : JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
}

function contains(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
  if (Array.isArray(a) && Array.isArray(b)) return b.every((y) => a.some((x) => contains(x, y)));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    return Object.entries(b).every(([k, v]) => k in a && contains((a as Record<string, unknown>)[k], v));
  }
  return deepEqual(a, b);
}

function child(item: Item, key: PathSegment, value: unknown): Item {
  return { value, path: item.path ? [...item.path, key] : null };
}

function evaluate(ast: JqAst, input: Item, src: string): Item[] {
  const value = (v: unknown): Item[] => [{ value: v, path: null }];
  switch (ast.t) {
    case 'identity':
      return [input];
    case 'literal':
      return value(ast.value);
    case 'recurse': {
      const out: Item[] = [];
      const visit = (it: Item): void => {
        out.push(it);
        if (Array.isArray(it.value)) {
          it.value.forEach((v, i) => {
            visit(child(it, i, v));
          });
        } else if (it.value && typeof it.value === 'object') {
          for (const [k, v] of Object.entries(it.value)) visit(child(it, k, v));
        }
      };
      visit(input);
      return out;
    }
    case 'field':
      return evaluate(ast.target, input, src).flatMap((t) => {
        if (t.value === null || t.value === undefined) return [child(t, ast.name, undefined)];
        if (typeof t.value === 'object' && !Array.isArray(t.value)) {
          return [child(t, ast.name, (t.value as Record<string, unknown>)[ast.name])];
        }
        if (ast.optional) return [];
        throw new JqError(
          src,
          `cannot index ${Array.isArray(t.value) ? 'array' : typeof t.value} with "${ast.name}"`,
        );
      });
    case 'index': {
      const targets = evaluate(ast.target, input, src);
      const keys = evaluate(ast.index, input, src).map((k) => k.value);
      return targets.flatMap((t) =>
        keys.flatMap((k): Item[] => {
          if (typeof k === 'string') {
            return evaluate(
              { t: 'field', target: { t: 'identity' }, name: k, optional: ast.optional },
              t,
              src,
            );
          }
          if (typeof k === 'number' && Number.isInteger(k)) {
            if (t.value === null || t.value === undefined) return [child(t, k, undefined)];
            if (Array.isArray(t.value)) {
              const i = k < 0 ? t.value.length + k : k;
              return i >= 0 ? [child(t, i, t.value[i])] : [];
            }
          }
          if (ast.optional) return [];
          throw new JqError(src, `cannot index with ${JSON.stringify(k)}`);
        }),
      );
    }
    case 'iterate':
      return evaluate(ast.target, input, src).flatMap((t) => {
        if (Array.isArray(t.value)) return t.value.map((v, i) => child(t, i, v));
        if (t.value && typeof t.value === 'object')
          return Object.entries(t.value).map(([k, v]) => child(t, k, v));
        if (t.value === null || t.value === undefined || ast.optional) return [];
        throw new JqError(src, `cannot iterate over ${typeof t.value}`);
      });
    case 'pipe':
      return evaluate(ast.left, input, src).flatMap((it) => evaluate(ast.right, it, src));
    case 'comma':
      return [...evaluate(ast.left, input, src), ...evaluate(ast.right, input, src)];
    case 'binop': {
      if (ast.op === 'and' || ast.op === 'or') {
        return evaluate(ast.left, input, src).flatMap((l) => {
          if (ast.op === 'and' && !truthy(l.value)) return value(false);
          if (ast.op === 'or' && truthy(l.value)) return value(true);
          return evaluate(ast.right, input, src).map((r) => ({ value: truthy(r.value), path: null }));
        });
      }
      const rights = evaluate(ast.right, input, src);
      return evaluate(ast.left, input, src).flatMap((l) =>
        rights.map((r) => {
          const c = compare(l.value, r.value);
          const ok =
            ast.op === '=='
              ? deepEqual(l.value, r.value)
              : ast.op === '!='
                ? !deepEqual(l.value, r.value)
                : ast.op === '<'
                  ? c < 0
                  : ast.op === '<='
                    ? c <= 0
                    : ast.op === '>'
                      ? c > 0
                      : c >= 0;
          return { value: ok, path: null };
        }),
      );
    }
    case 'call':
      return callFunction(ast.name, ast.args, input, src);
  }
}

function callFunction(name: string, args: JqAst[], input: Item, src: string): Item[] {
  const v = input.value === undefined ? null : input.value;
  const arg = (i: number): unknown[] => evaluate(args[i] as JqAst, input, src).map((a) => a.value);
  const bool = (b: boolean): Item[] => [{ value: b, path: null }];
  const str = (fn: (s: string, a: string) => boolean): Item[] =>
    arg(0).flatMap((a) => (typeof v === 'string' && typeof a === 'string' ? bool(fn(v, a)) : bool(false)));
  switch (name) {
    case 'select':
      return evaluate(args[0] as JqAst, input, src).flatMap((r) => (truthy(r.value) ? [input] : []));
    case 'not':
      return bool(!truthy(v));
    case 'empty':
      return [];
    case 'has':
      return arg(0).flatMap((k) =>
        bool(
          Array.isArray(v)
            ? typeof k === 'number' && k >= 0 && k < v.length
            : v !== null && typeof v === 'object' && typeof k === 'string' && Object.hasOwn(v, k),
        ),
      );
    case 'startswith':
      return str((s, a) => s.startsWith(a));
    case 'endswith':
      return str((s, a) => s.endsWith(a));
    case 'contains':
      return arg(0).flatMap((a) => bool(contains(v, a)));
    case 'test': {
      const flags =
        args.length > 1
          ? String(arg(1)[0] ?? '')
              .replace(/[^imsux]/g, '')
              .replace('x', '')
          : '';
      return arg(0).flatMap((re) =>
        typeof v === 'string' ? bool(new RegExp(String(re), flags).test(v)) : bool(false),
      );
    }
    case 'length':
      return [
        {
          value:
            v === null
              ? 0
              : typeof v === 'string' || Array.isArray(v)
                ? v.length
                : typeof v === 'object'
                  ? Object.keys(v).length
                  : Math.abs(Number(v)),
          path: null,
        },
      ];
    case 'recurse':
      return evaluate({ t: 'recurse' }, input, src);
    default:
      throw new JqError(src, `unsupported function "${name}"`);
  }
}

/**
 * The paths an expression selects in `doc` that exist there (as jq's `path(expr)`, minus paths to
 * absent fields). Values computed rather than selected (literals, comparisons) are dropped.
 */
export function jqPaths(expression: string | JqAst, doc: unknown): PathSegment[][] {
  const src = typeof expression === 'string' ? expression : '<ast>';
  const ast = typeof expression === 'string' ? parseJq(expression) : expression;
  const out: PathSegment[][] = [];
  const seen = new Set<string>();
  for (const it of evaluate(ast, { value: doc, path: [] }, src)) {
    if (!it.path || it.value === undefined) continue;
    const key = JSON.stringify(it.path);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(it.path);
    }
  }
  return out;
}

/** The values an expression produces on `doc` (for tests and previews). */
export function jqValues(expression: string, doc: unknown): unknown[] {
  return evaluate(parseJq(expression), { value: doc, path: [] }, expression).map((i) =>
    i.value === undefined ? null : i.value,
  );
}
