/** RFC 6901 JSON pointers: parsing, formatting, reading and removal of subtrees. */

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

/** A malformed JSON pointer. */
export class JsonPointerError extends Error {
  readonly pointer: string;
  constructor(pointer: string, reason: string) {
    super(`invalid JSON pointer "${pointer}": ${reason}`);
    this.name = 'JsonPointerError';
    this.pointer = pointer;
  }
}

/** Escapes one reference token: `~` → `~0`, `/` → `~1`. */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Unescapes one reference token: `~1` → `/`, `~0` → `~` (in that order, per RFC 6901). */
export function unescapePointerToken(token: string): string {
  if (/~[^01]|~$/.test(token)) throw new JsonPointerError(token, 'a "~" must be followed by 0 or 1');
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** "/spec/replicas" → ["spec", "replicas"]; "" → []. Tokens stay strings (arrays are indexed at lookup). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPointerError(pointer, 'must be empty or start with "/"');
  return pointer.slice(1).split('/').map(unescapePointerToken);
}

/** ["spec", "containers", 0] → "/spec/containers/0". */
export function formatPointer(segments: readonly PathSegment[]): string {
  return segments.map((s) => `/${escapePointerToken(String(s))}`).join('');
}

/** Resolves string tokens against the object, turning array tokens into numbers; undefined when absent. */
export function resolvePointer(root: unknown, tokens: readonly string[]): PathSegment[] | undefined {
  const out: PathSegment[] = [];
  let cur: unknown = root;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t)) return undefined;
      const i = Number(t);
      if (i >= cur.length) return undefined;
      out.push(i);
      cur = cur[i];
    } else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, t)) {
      out.push(t);
      cur = (cur as Record<string, unknown>)[t];
    } else {
      return undefined;
    }
  }
  return out;
}

/** The value at a path, or undefined. */
export function getAtPath(root: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const s of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[s as string];
  }
  return cur;
}

/**
 * A deep copy of `root` without the subtrees at `pointers` (formatted pointers, array indices numeric).
 * Array elements are removed together, so indices refer to the original array. Removing "" yields undefined.
 */
export function removePaths(root: unknown, pointers: ReadonlySet<string>): unknown {
  if (pointers.size === 0) return root;
  const walk = (value: unknown, pointer: string): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((v, i) => {
        const p = `${pointer}/${i}`;
        if (!pointers.has(p)) out.push(walk(v, p));
      });
      return out;
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const p = `${pointer}/${escapePointerToken(k)}`;
        if (!pointers.has(p)) out[k] = walk(v, p);
      }
      return out;
    }
    return value;
  };
  if (pointers.has('')) return undefined;
  return walk(root, '');
}
