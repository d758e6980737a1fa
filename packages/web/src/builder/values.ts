/**
 * Values text for the values editor (pure): the keys of a values.yaml with their comments and
 * defaults, the keys of a values.schema.json with their types and descriptions, completion at a
 * cursor, and the difference from the chart's defaults. A line scanner over block mappings (the
 * shape values files have), not a YAML parser: lists and block scalars are kept whole as values,
 * and the keys of a list's maps (`- name: x`) are read as the keys of `path[]` (`items`).
 */

export interface ValueKey {
  /** Dotted path (`image.tag`); a key with dots or spaces is quoted as in `encrypted_paths`. */
  path: string;
  key: string;
  /** The value as written on its line ('' for a mapping, the lines of a list or block scalar). */
  value: string;
  /** The comment lines right above the key, and a comment after its value. */
  comment: string;
  /** 1-based line of the key. */
  line: number;
  /** The key has keys under it. */
  parent: boolean;
  /**
   * A list of maps (`- name: x`): the keys of its items, merged over the items (the first
   * item's value, comment and line), each with the path `path[].key`.
   */
  items?: ValueKey[];
}

const KEY = /^(\s*)("[^"]*"|'[^']*'|[^\s#'"{[\]}:,-][^:#]*?|-[^\s:#][^:#]*?):(?:\s+(.*)|\s*)$/;

function unquote(k: string): string {
  return /^(["']).*\1$/.test(k) ? k.slice(1, -1) : k.trim();
}

/** A key as one segment of a dotted path (quoted when it holds a dot or a space). */
export function segment(key: string): string {
  return /[.\s"[\]]/.test(key) ? `"${key.replace(/"/g, '\\"')}"` : key;
}

export function joinPath(parent: string, key: string): string {
  return parent ? `${parent}.${segment(key)}` : segment(key);
}

/** A value without its trailing comment (outside quotes), and that comment. */
function splitComment(v: string): { value: string; comment: string } {
  let quote = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(v[i - 1]!)))
      return { value: v.slice(0, i).trimEnd(), comment: v.slice(i + 1).trim() };
  }
  return { value: v.trimEnd(), comment: '' };
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/** Every key of a values text in order, with its path, value, comment and line. */
export function scanValues(text: string): ValueKey[] {
  return scan(text.split('\n'), '', 0);
}

/** The keys of the maps of a list (its lines as written), under `owner[]`, merged over the items. */
function itemKeys(list: string[], owner: string, firstLine: number): ValueKey[] {
  const dash = Math.min(
    ...list.filter((l) => /^\s*-(\s|$)/.test(l)).map((l) => indentOf(l)),
    Number.POSITIVE_INFINITY,
  );
  if (!Number.isFinite(dash)) return [];
  const merged = new Map<string, ValueKey>();
  const add = (keys: ValueKey[]) => {
    for (const k of keys) {
      const had = merged.get(k.path);
      if (!had) merged.set(k.path, k);
      else {
        had.parent ||= k.parent;
        if (!had.comment && k.comment) had.comment = k.comment;
        if (k.items) had.items = mergeKeys([...(had.items ?? []), ...k.items]);
      }
    }
  };
  let chunk: string[] = [];
  let start = firstLine;
  const flush = () => {
    if (chunk.some((l) => l.trim() !== '' && !l.trim().startsWith('#')))
      add(scan(chunk, `${owner}[]`, start));
    chunk = [];
  };
  for (let i = 0; i < list.length; i++) {
    const l = list[i]!;
    const t = l.trim();
    if (indentOf(l) === dash && /^-(\s|$)/.test(t)) {
      // a new item: the comments right above it stay with it
      const above: string[] = [];
      while (chunk.length && chunk[chunk.length - 1]!.trim().startsWith('#')) above.unshift(chunk.pop()!);
      flush();
      start = firstLine + i - above.length;
      chunk = [...above, `${l.slice(0, dash)} ${l.slice(dash + 1)}`];
    } else chunk.push(l);
  }
  flush();
  return [...merged.values()];
}

function mergeKeys(keys: ValueKey[]): ValueKey[] {
  const m = new Map<string, ValueKey>();
  for (const k of keys) if (!m.has(k.path)) m.set(k.path, k);
  return [...m.values()];
}

function scan(lines: string[], base: string, lineOffset: number): ValueKey[] {
  const out: ValueKey[] = [];
  const stack: { indent: number; path: string; entry: ValueKey }[] = [];
  let pending: string[] = [];
  let skipAbove = -1; // lines indented more than this belong to a list or block scalar
  let owner: ValueKey | undefined;
  let list: { lines: string[]; line: number } | undefined; // the lines of the owner's list
  const endList = () => {
    if (owner && list) {
      const items = itemKeys(list.lines, owner.path, list.line);
      if (items.length) owner.items = items;
    }
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed === '---') {
      if (skipAbove < 0 && trimmed === '') pending = [];
      if (list && trimmed === '') list.lines.push('');
      if (owner && skipAbove >= 0 && trimmed === '') owner.value += '\n';
      continue;
    }
    const indent = indentOf(raw);
    if (skipAbove >= 0) {
      if (indent > skipAbove || (indent === skipAbove && /^-(\s|$)/.test(trimmed))) {
        if (owner && !trimmed.startsWith('#')) owner.value += `\n${raw}`;
        list?.lines.push(raw);
        continue;
      }
      if (list && trimmed.startsWith('#')) {
        // a comment at the list's indent: it may be above the list's next item
        const next = lines.slice(i + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
        if (next !== undefined && indentOf(next) === skipAbove && /^-(\s|$)/.test(next.trim())) {
          list.lines.push(raw);
          continue;
        }
      }
      endList();
      skipAbove = -1;
      if (owner) owner.value = owner.value.trim();
      owner = undefined;
    }
    if (trimmed.startsWith('#')) {
      pending.push(trimmed.replace(/^#+\s?/, ''));
      continue;
    }
    const m = KEY.exec(raw);
    if (!m) {
      // a list item or something this scanner does not read: skip it and what is under it
      skipAbove = indent;
      if (trimmed.startsWith('- ') || trimmed === '-') skipAbove = indent;
      pending = [];
      continue;
    }
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const key = unquote(m[2]!);
    const parentPath = stack.length ? stack[stack.length - 1]!.path : '';
    const { value, comment } = splitComment(m[3] ?? '');
    const path = parentPath ? joinPath(parentPath, key) : base ? `${base}.${segment(key)}` : segment(key);
    const entry: ValueKey = {
      path,
      key,
      value,
      comment: [...pending, comment].filter(Boolean).join('\n'),
      line: lineOffset + i + 1,
      parent: false,
    };
    if (stack.length) stack[stack.length - 1]!.entry.parent = true;
    out.push(entry);
    pending = [];
    if (value === '') stack.push({ indent, path, entry });
    else if (/^[|>][-+0-9]*$/.test(value)) {
      skipAbove = indent;
      owner = entry;
    }
    // a list under an empty key: its items are the key's value
    const next = lines.slice(i + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    if (value === '' && next !== undefined && next.trim().startsWith('-') && indentOf(next) >= indent) {
      stack.pop();
      skipAbove = indent;
      owner = entry;
      list = { lines: [], line: lineOffset + i + 1 };
    }
  }
  endList();
  if (owner) owner.value = owner.value.trim();
  return out;
}

/** What the schema says of one key. */
export interface SchemaDoc {
  type?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
}

type Schema = Record<string, unknown>;

function resolveRef(root: Schema, s: unknown, depth = 0): Schema | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const o = s as Schema;
  const ref = o.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/') && depth < 10) {
    let n: unknown = root;
    for (const part of ref.slice(2).split('/')) n = (n as Schema | undefined)?.[part.replace(/~1/g, '/')];
    return resolveRef(root, n, depth + 1);
  }
  return o;
}

/** The schema's node for an object's properties, following $ref, allOf and anyOf/oneOf objects. */
function propertiesOf(root: Schema, s: Schema | undefined): Record<string, Schema> {
  if (!s) return {};
  const out: Record<string, Schema> = {};
  const props = s.properties;
  if (props && typeof props === 'object') Object.assign(out, props);
  for (const k of ['allOf', 'anyOf', 'oneOf'])
    for (const sub of (Array.isArray(s[k]) ? s[k] : []) as unknown[])
      Object.assign(out, propertiesOf(root, resolveRef(root, sub)));
  return out;
}

/** Splits a dotted path into keys (quoted segments kept whole). */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^.]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path))
    out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!);
  return out;
}

/** The schema of a list's items (`items`, also under allOf/anyOf/oneOf: `[array, null]` unions). */
function itemsOf(root: Schema, s: Schema | undefined, depth = 0): Schema | undefined {
  if (!s || depth > 10) return undefined;
  const items = Array.isArray(s.items) ? s.items[0] : s.items;
  if (items && typeof items === 'object') return resolveRef(root, items);
  for (const k of ['allOf', 'anyOf', 'oneOf'])
    for (const sub of (Array.isArray(s[k]) ? s[k] : []) as unknown[]) {
      const found = itemsOf(root, resolveRef(root, sub), depth + 1);
      if (found) return found;
    }
  return undefined;
}

/** The keys of a path, `[]` (the items of a list) as a step of its own: `a.b[].c` → a, b, [], c. */
function steps(path: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^.[\]]+)|(\[\])/g;
  for (let m = re.exec(path); m; m = re.exec(path))
    out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : (m[2] ?? '[]'));
  return out;
}

/** The schema node at a dotted path (undefined when the schema does not describe it). */
export function schemaAt(schema: unknown, path: string): Schema | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const root = schema as Schema;
  let node = resolveRef(root, root);
  for (const key of path ? steps(path) : []) {
    node = key === '[]' ? itemsOf(root, node) : resolveRef(root, propertiesOf(root, node)[key]);
    if (!node) return undefined;
  }
  return node;
}

/** The path one level up: `a.b` → `a`, `a.b[].c` → `a.b[]`. */
export function parentPath(path: string, key: string): string {
  return path.slice(0, path.length - segment(key).length).replace(/\.$/, '');
}

function docOf(root: Schema, s: Schema | undefined): SchemaDoc {
  const n = resolveRef(root, s);
  if (!n) return {};
  const type = Array.isArray(n.type) ? n.type.join(' | ') : typeof n.type === 'string' ? n.type : undefined;
  return {
    ...(type ? { type } : {}),
    ...(typeof n.description === 'string' ? { description: n.description } : {}),
    ...(Array.isArray(n.enum) ? { enum: n.enum } : {}),
    ...(n.default !== undefined ? { default: n.default } : {}),
  };
}

/** A key offered at the cursor. */
export interface Completion {
  key: string;
  path: string;
  /** The chart's default as written in values.yaml. */
  defaultValue?: string;
  comment?: string;
  schema: SchemaDoc;
  /** It holds keys: completing it opens a mapping. */
  parent: boolean;
  /** A list of maps: completing it opens the list's first item (`- `). */
  list?: boolean;
}

/** The keys and, below each list of maps, the keys of its items (`path[].key`). */
function withItems(keys: readonly ValueKey[]): ValueKey[] {
  const out: ValueKey[] = [];
  const walk = (ks: readonly ValueKey[]) => {
    for (const k of ks) {
      out.push(k);
      if (k.items) walk(k.items);
    }
  };
  walk(keys);
  return out;
}

/** The keys a parent path has in the chart's values and its schema, values.yaml's order first. */
export function childrenOf(parent: string, defaults: readonly ValueKey[], schema: unknown): Completion[] {
  const byKey = new Map<string, Completion>();
  for (const k of withItems(defaults)) {
    if (parentPath(k.path, k.key) !== parent) continue;
    byKey.set(k.key, {
      key: k.key,
      path: k.path,
      ...(k.parent ? {} : { defaultValue: k.value }),
      ...(k.comment ? { comment: k.comment } : {}),
      schema: {},
      parent: k.parent,
      ...(k.items?.length ? { list: true } : {}),
    });
  }
  const root = schema && typeof schema === 'object' ? (schema as Schema) : undefined;
  if (root) {
    const node = schemaAt(root, parent);
    for (const [key, sub] of Object.entries(propertiesOf(root, node))) {
      const doc = docOf(root, sub);
      const c = byKey.get(key);
      const isObject =
        doc.type === 'object' || Object.keys(propertiesOf(root, resolveRef(root, sub))).length > 0;
      const isList = Object.keys(propertiesOf(root, itemsOf(root, resolveRef(root, sub)))).length > 0;
      if (c) {
        c.schema = doc;
        c.parent ||= isObject && Object.keys(propertiesOf(root, resolveRef(root, sub))).length > 0;
        if (isList && !c.parent) c.list = true;
      } else
        byKey.set(key, {
          key,
          path: parent ? `${parent}.${segment(key)}` : segment(key),
          schema: doc,
          parent: isObject && !isList,
          ...(isList ? { list: true } : {}),
        });
    }
  }
  return [...byKey.values()];
}

/** A line as a key (a list item's `- ` read as spaces): its column, key and value; or null. */
function keyLine(raw: string): { col: number; key: string; value: string; item: number } | null {
  const item = /^(\s*)-(\s+)/.exec(raw);
  const line = item ? `${item[1]} ${item[2]}${raw.slice(item[0].length)}` : raw;
  const m = KEY.exec(line);
  if (!m) return null;
  return {
    col: indentOf(line),
    key: unquote(m[2]!),
    value: splitComment(m[3] ?? '').value,
    item: item ? item[1]!.length : -1,
  };
}

/** The lines of block scalars (`key: |` and what is indented under it): text, not keys. */
function blockScalarLines(lines: string[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const k = keyLine(lines[i]!);
    if (!k || !/^[|>][-+0-9]*$/.test(k.value)) continue;
    const ind = indentOf(lines[i]!);
    let j = i + 1;
    for (; j < lines.length && (lines[j]!.trim() === '' || indentOf(lines[j]!) > ind); j++) out.add(j);
    i = j - 1;
  }
  return out;
}

/**
 * The path of the mapping that holds a key at column `col` on line `at` (0-based), read upwards:
 * a key above at a smaller column with no value is the parent, a list item (`- `) above makes its
 * list's key the parent with `[]` (`hosts[]`). `inItem` is the column of the `- ` on line `at`.
 */
function containerOf(lines: string[], at: number, col: number, inItem: number): string {
  const scalar = blockScalarLines(lines);
  const keys: string[] = [];
  let want = col;
  let dash = inItem; // ≥ 0: looking for the key that owns the list whose items start at this column
  for (let i = at - 1; i >= 0 && (want > 0 || dash >= 0); i--) {
    const raw = lines[i]!.replace(/\r$/, '');
    const t = raw.trim();
    if (t === '' || t.startsWith('#') || scalar.has(i)) continue;
    const ind = indentOf(raw);
    const isItem = /^-(\s|$)/.test(t);
    const k = keyLine(raw);
    if (dash >= 0) {
      if (isItem && ind === dash) continue; // another item of the same list
      if (isItem && ind < dash && k && k.value === '' && k.col < dash + 1) {
        // `- key:` owning the list: the key's item is the next container
        keys.unshift(`${segment(k.key)}[]`);
        dash = ind;
        want = k.col;
        continue;
      }
      if (!isItem && ind <= dash) {
        // not a list's key: a path nothing has
        if (k?.value !== '') return ['[]', ...keys].join('.');
        keys.unshift(`${segment(k.key)}[]`);
        dash = -1;
        want = ind;
      }
      continue;
    }
    if (isItem && ind < want) {
      // the item the cursor is in: its first line is a key of the same mapping (`- name: x`),
      // or the key of the mapping the cursor is in (`- tls:`), or no key
      if (k && k.col < want && k.value === '') keys.unshift(segment(k.key));
      dash = ind;
      continue;
    }
    if (ind < want && k) {
      if (k.value === '') keys.unshift(segment(k.key));
      want = ind;
    } else if (ind < want) want = ind;
  }
  return keys.join('.');
}

/** Where the cursor is: the path of the mapping it is in, the key being typed, its line's indent. */
export function cursorContext(
  text: string,
  offset: number,
): { parent: string; prefix: string; indent: number; lineStart: number; keyStart: number; atKey: boolean } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  // `- ` starts a list item: the key after it is the item's first key
  const item = /^(\s*)-(\s+)/.exec(before);
  const lead = item ? item[0].length : indentOf(before);
  const typed = before.slice(lead);
  const atKey = /^[A-Za-z0-9_"'-]*$/.test(typed) && !(item === null && typed.startsWith('-'));
  const lines = text.slice(0, lineStart).split('\n');
  const parent = containerOf(lines, lines.length - 1, lead, item ? item[1]!.length : -1);
  return {
    parent,
    prefix: atKey ? typed.replace(/^["']/, '') : '',
    indent: lead,
    lineStart,
    keyStart: lineStart + lead,
    atKey,
  };
}

/** The keys already written in the mapping the cursor's line is in (a list item: only that item's). */
function siblingsAt(text: string, offset: number, col: number, startsItem: boolean): Set<string> {
  const lines = text.split('\n');
  const at = text.slice(0, offset).split('\n').length - 1;
  const out = new Set<string>();
  const keyAt = (raw: string) => {
    const k = keyLine(raw);
    return k && k.col === col ? k.key : undefined;
  };
  // up to the line that opens the mapping (a key at a smaller column, or the item's `- `);
  // nothing above when the cursor's line begins the item
  for (let i = startsItem ? -1 : at - 1; i >= 0; i--) {
    const raw = lines[i]!;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const ind = indentOf(raw);
    const k = keyAt(raw);
    if (k !== undefined) out.add(k);
    if (ind < col) break;
  }
  for (let i = at + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (indentOf(raw) < col) break;
    const k = keyAt(raw);
    if (k !== undefined) out.add(k);
  }
  return out;
}

/** The keys offered at a cursor: the parent's keys starting with what is typed, not yet set there. */
export function completionsAt(
  text: string,
  offset: number,
  defaults: readonly ValueKey[],
  schema: unknown,
): { parent: string; prefix: string; items: Completion[] } {
  const c = cursorContext(text, offset);
  if (!c.atKey) return { parent: c.parent, prefix: c.prefix, items: [] };
  // in a list item only that item's keys are set; elsewhere the paths of the whole text
  const inList = c.parent.endsWith('[]') || c.parent.includes('[].');
  const startsItem = /^\s*-\s/.test(text.slice(c.lineStart, c.keyStart));
  const present = inList
    ? siblingsAt(text, offset, c.indent, startsItem)
    : new Set(scanValues(text).map((k) => k.path));
  const lower = c.prefix.toLowerCase();
  const items = childrenOf(c.parent, defaults, schema).filter(
    (k) =>
      k.key.toLowerCase().startsWith(lower) && !(present.has(inList ? k.key : k.path) && k.key !== c.prefix),
  );
  return { parent: c.parent, prefix: c.prefix, items };
}

/** The text with the key being typed at `offset` completed; the new cursor offset. */
export function applyCompletion(
  text: string,
  offset: number,
  item: Completion,
): { text: string; offset: number } {
  const c = cursorContext(text, offset);
  const lineEnd = text.indexOf('\n', offset);
  const end = lineEnd < 0 ? text.length : lineEnd;
  const pad = ' '.repeat(c.indent);
  const key = segmentKey(item.key);
  // what is before the key on its line stays (its indent, a list item's `- `)
  const insert = item.parent ? `${key}:\n${pad}  ` : item.list ? `${key}:\n${pad}  - ` : `${key}: `;
  const next = text.slice(0, c.keyStart) + insert + text.slice(end);
  return { text: next, offset: c.keyStart + insert.length };
}

function segmentKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** The path of the key on the line the cursor is on (for the SOPS button), or null. */
export function pathAtLine(text: string, offset: number): string | null {
  const line = text.slice(0, offset).split('\n').length;
  const k = scanValues(text).find((x) => x.line === line);
  return k ? k.path : null;
}

/**
 * The path of the key on the cursor's line as completion names it (`hosts[].host` in a list
 * item), for its inline docs; null when the line holds no key.
 */
export function keyPathAtLine(text: string, offset: number): string | null {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const k = keyLine(text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd));
  if (!k) return null;
  const lines = text.slice(0, lineStart).split('\n');
  const parent = containerOf(lines, lines.length - 1, k.col, k.item);
  return parent ? `${parent}.${segment(k.key)}` : segment(k.key);
}

export interface ValueChange {
  path: string;
  change: 'changed' | 'added';
  from?: string;
  to: string;
}

/** The keys whose value differs from the chart's defaults, in the order of the edited text. */
export function diffFromDefaults(text: string, defaults: readonly ValueKey[]): ValueChange[] {
  const base = new Map(defaults.map((k) => [k.path, k]));
  const out: ValueChange[] = [];
  for (const k of scanValues(text)) {
    if (k.parent) continue;
    const d = base.get(k.path);
    if (!d) out.push({ path: k.path, change: 'added', to: k.value });
    else if (normalise(d.value) !== normalise(k.value))
      out.push({ path: k.path, change: 'changed', from: d.value, to: k.value });
  }
  return out;
}

function normalise(v: string): string {
  const t = v.trim();
  if (/^(["']).*\1$/.test(t)) return t.slice(1, -1);
  if (t === '~' || t === 'null') return '';
  return t.replace(/\s+/g, ' ');
}
