/**
 * Writing edited YAML back with the smallest change (pure). The `yaml` package's Document API
 * keeps comments, quoting and blank lines, but re-serialising a whole file still normalises a
 * few things a person chose (flow padding `[a]` vs `[ a ]`, sequence indentation, long lines).
 * So a file is re-serialised twice, before and after the edit, and only the regions that the
 * edit changed are taken from the new text; every other line stays byte for byte as it was.
 */
import { type Document, isMap, isSeq, parseAllDocuments, type ToStringOptions } from 'yaml';
import { ValidationError } from '../errors.ts';

/** Serialisation options that match a file's own style as far as one setting can. */
export function styleOf(text: string): ToStringOptions {
  // `key:\n  - item` (indented) or `key:\n- item` (not)
  const unindented = /^( *)[^\s#-][^\n]*:[ \t]*\n\1- /m.test(text);
  const m = /^( +)\S/m.exec(text);
  const indent = m?.[1] && m[1].length <= 8 ? m[1].length : 2;
  return {
    indent: indent === 4 || indent === 2 ? indent : 2,
    indentSeq: !unindented,
    lineWidth: 0,
    minContentWidth: 0,
    flowCollectionPadding: /[[{] \S/.test(text) && !/[[{][^\s\]}]/.test(text),
  };
}

/** Parses every document of a file (for editing); throws on a YAML error. */
export function parseDocs(text: string, file: string): Document.Parsed[] {
  const docs = parseAllDocuments(text, { keepSourceTokens: false });
  const list = Array.isArray(docs) ? docs : [];
  for (const d of list)
    if (d.errors.length > 0)
      throw new ValidationError(`${file} is not valid YAML: ${d.errors[0]!.message.split('\n')[0]}`);
  return list;
}

export function stringifyDocs(docs: readonly Document[], style: ToStringOptions): string {
  return docs.map((d) => d.toString(style)).join('');
}

/**
 * The edited text: `original` with the regions `before` → `after` changed replaced by the new
 * lines, where `before` is the unedited documents re-serialised and `after` the edited ones.
 * Falls back to `after` when the merge would not read back as the edited documents.
 */
export function mergeEdit(original: string, before: string, after: string): string {
  if (before === after) return original;
  if (before === original) return after;
  const O = original.split('\n');
  const S0 = before.split('\n');
  const S1 = after.split('\n');
  // the original and its re-serialisation hold the same data: match them ignoring indentation,
  // comment spacing and flow padding (which the serialiser may change); edits match exactly
  const toO = matchLines(S0.map(loose), O.map(loose));
  const toS1 = matchLines(S0, S1);
  // blocks of the original ↔ before alignment: a matched line, or a gap of unmatched lines
  const blocks: { a: number; b: number; oa: number; ob: number }[] = [];
  let pi = -1;
  let po = -1;
  for (let i = 0; i <= S0.length; i++) {
    const o = i === S0.length ? O.length : toO[i]!;
    if (o < 0) continue;
    if (i > pi + 1 || o > po + 1) blocks.push({ a: pi + 1, b: i, oa: po + 1, ob: o });
    if (i < S0.length) blocks.push({ a: i, b: i + 1, oa: o, ob: o + 1 });
    pi = i;
    po = o;
  }
  const out: string[] = [];
  let next = 0; // the next line of `after` to write
  // edited lines take the original's indentation: the shift seen at their depth
  const shift = new Map<number, number>();
  const reindent = (lines: string[]) =>
    lines.map((l) => {
      const n = indentOf(l);
      if (l.trim() === '') return l;
      let d = shift.get(n);
      if (d === undefined) {
        const below = [...shift.keys()].filter((k) => k < n).sort((a, b) => b - a)[0];
        d = below === undefined ? 0 : shift.get(below)!;
      }
      return ' '.repeat(Math.max(0, n + d)) + l.slice(n);
    });
  for (const k of blocks) {
    if (k.b - k.a === 1 && k.ob - k.oa === 1 && S0[k.a]!.trim() !== '')
      shift.set(indentOf(S0[k.a]!), indentOf(O[k.oa]!) - indentOf(S0[k.a]!));
    const first = toS1[k.a] ?? -1;
    let untouched = k.b > k.a && first >= next;
    for (let i = k.a; untouched && i < k.b; i++) untouched = toS1[i] === first + (i - k.a);
    if (k.b === k.a) out.push(...O.slice(k.oa, k.ob));
    else if (untouched) {
      // lines the edit inserted before this block, then the block as the original has it
      out.push(...reindent(S1.slice(next, first)), ...O.slice(k.oa, k.ob));
      next = first + (k.b - k.a);
    } else {
      // the block's new lines: up to the next line of `before` the edit kept
      let end = S1.length;
      for (let i = k.b; i < S0.length; i++)
        if (toS1[i]! >= next) {
          end = toS1[i]!;
          break;
        }
      const one =
        k.b - k.a === 1 && k.ob - k.oa === 1 && end - next === 1
          ? mergeLine(O[k.oa]!, S0[k.a]!, S1[next]!)
          : undefined;
      out.push(...(one !== undefined ? [one] : reindent(S1.slice(next, end))));
      next = end;
    }
  }
  out.push(...reindent(S1.slice(next)));
  const merged = out.join('\n');
  return sameDocuments(merged, after) ? merged : after;
}

/**
 * One line edited: the changed token of the re-serialised line replaced in the original line,
 * so the rest of it (flow padding, comment spacing) stays; undefined when not found exactly once.
 */
function mergeLine(o: string, s0: string, s1: string): string | undefined {
  if (o === s0) return undefined;
  let p = 0;
  while (p < s0.length && p < s1.length && s0[p] === s1[p]) p++;
  let q = 0;
  while (q < s0.length - p && q < s1.length - p && s0[s0.length - 1 - q] === s1[s1.length - 1 - q]) q++;
  const delim = /[\s[\]{},:"'#]/;
  let a = p;
  while (a > 0 && !delim.test(s0[a - 1]!)) a--;
  let b0 = s0.length - q;
  let b1 = s1.length - q;
  while (b0 < s0.length && !delim.test(s0[b0]!)) {
    b0++;
    b1++;
  }
  const from = s0.slice(a, b0);
  const to = s1.slice(a, b1);
  if (from === '' || o.indexOf(from) < 0 || o.indexOf(from) !== o.lastIndexOf(from)) return undefined;
  return o.replace(from, () => to);
}

const indentOf = (l: string) => l.length - l.trimStart().length;
const loose = (l: string) =>
  l
    .trim()
    .replace(/\s+#/, ' #')
    .replace(/([[{]) +/g, '$1')
    .replace(/ +([\]}])/g, '$1');

function sameDocuments(a: string, b: string): boolean {
  try {
    const da = parseAllDocuments(a);
    const db = parseAllDocuments(b);
    if (!Array.isArray(da) || !Array.isArray(db) || da.length !== db.length) return false;
    return da.every(
      (d, i) => d.errors.length === 0 && JSON.stringify(d.toJS()) === JSON.stringify(db[i]!.toJS()),
    );
  } catch {
    return false;
  }
}

/**
 * For each line of `a`, the index of the line of `b` it is matched to by a longest common
 * subsequence (−1: not matched). Common head and tail are matched first; the middle by dynamic
 * programming (bounded: a very large middle is left unmatched, which only widens the edit).
 */
export function matchLines(a: readonly string[], b: readonly string[]): number[] {
  const res = new Array<number>(a.length).fill(-1);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) {
    res[head] = head;
    head++;
  }
  let ta = a.length;
  let tb = b.length;
  while (ta > head && tb > head && a[ta - 1] === b[tb - 1]) {
    ta--;
    tb--;
    res[ta] = tb;
  }
  const n = ta - head;
  const m = tb - head;
  if (n === 0 || m === 0 || n * m > 4_000_000) return res;
  // LCS table over the middle
  const w = m + 1;
  const t = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      t[i * w + j] =
        a[head + i] === b[head + j]
          ? t[(i + 1) * w + j + 1]! + 1
          : Math.max(t[(i + 1) * w + j]!, t[i * w + j + 1]!);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[head + i] === b[head + j]) {
      res[head + i] = head + j;
      i++;
      j++;
    } else if (t[(i + 1) * w + j]! >= t[i * w + j + 1]!) i++;
    else j++;
  }
  return res;
}

/** True when a node is a YAML mapping or sequence (for deep comparisons). */
export const isCollection = (n: unknown): boolean => isMap(n) || isSeq(n);
