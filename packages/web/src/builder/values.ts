/**
 * Values text for the values editor (pure): the keys of a values.yaml with their comments and
 * defaults, the keys of a values.schema.json with their types and descriptions, completion at a
 * cursor, and the difference from the chart's defaults. A line scanner over block mappings (the
 * shape values files have), not a YAML parser: lists and block scalars are kept whole as values.
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
  const lines = text.split('\n');
  const out: ValueKey[] = [];
  const stack: { indent: number; path: string; entry: ValueKey }[] = [];
  let pending: string[] = [];
  let skipAbove = -1; // lines indented more than this belong to a list or block scalar
  let owner: ValueKey | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed === '---') {
      if (skipAbove < 0 && trimmed === '') pending = [];
      if (owner && skipAbove >= 0 && trimmed === '') owner.value += '\n';
      continue;
    }
    const indent = indentOf(raw);
    if (skipAbove >= 0) {
      if (indent > skipAbove || (indent === skipAbove && trimmed.startsWith('- '))) {
        if (owner && !trimmed.startsWith('#')) owner.value += `\n${raw}`;
        continue;
      }
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
    const path = joinPath(parentPath, key);
    const entry: ValueKey = {
      path,
      key,
      value,
      comment: [...pending, comment].filter(Boolean).join('\n'),
      line: i + 1,
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
    }
  }
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

/** The schema node at a dotted path (undefined when the schema does not describe it). */
export function schemaAt(schema: unknown, path: string): Schema | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const root = schema as Schema;
  let node = resolveRef(root, root);
  for (const key of path ? splitPath(path) : []) {
    node = resolveRef(root, propertiesOf(root, node)[key]);
    if (!node) return undefined;
  }
  return node;
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
}

/** The keys a parent path has in the chart's values and its schema, values.yaml's order first. */
export function childrenOf(parent: string, defaults: readonly ValueKey[], schema: unknown): Completion[] {
  const byKey = new Map<string, Completion>();
  for (const k of defaults) {
    const up = k.path.slice(0, k.path.length - segment(k.key).length).replace(/\.$/, '');
    if (up !== parent) continue;
    byKey.set(k.key, {
      key: k.key,
      path: k.path,
      ...(k.parent ? {} : { defaultValue: k.value }),
      ...(k.comment ? { comment: k.comment } : {}),
      schema: {},
      parent: k.parent,
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
      if (c) {
        c.schema = doc;
        c.parent ||= isObject && Object.keys(propertiesOf(root, resolveRef(root, sub))).length > 0;
      } else byKey.set(key, { key, path: joinPath(parent, key), schema: doc, parent: isObject });
    }
  }
  return [...byKey.values()];
}

/** Where the cursor is: the path of the mapping it is in, the key being typed, its line's indent. */
export function cursorContext(
  text: string,
  offset: number,
): { parent: string; prefix: string; indent: number; lineStart: number; atKey: boolean } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const indent = indentOf(before);
  const typed = before.trimStart();
  const atKey = /^[A-Za-z0-9_"'-]*$/.test(typed);
  // the keys above, at smaller indents, are the parents
  const keys = scanValues(text.slice(0, lineStart));
  let parent = '';
  const lines = text.slice(0, lineStart).split('\n');
  let want = indent;
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i]!;
    const ind = indentOf(lines[k.line - 1] ?? '');
    if (ind < want && k.value === '') {
      parent = k.path;
      break;
    }
    if (ind < want) want = ind;
  }
  return { parent, prefix: atKey ? typed.replace(/^["']/, '') : '', indent, lineStart, atKey };
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
  const present = new Set(scanValues(text).map((k) => k.path));
  const lower = c.prefix.toLowerCase();
  const items = childrenOf(c.parent, defaults, schema).filter(
    (k) => k.key.toLowerCase().startsWith(lower) && !(present.has(k.path) && k.key !== c.prefix),
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
  const insert = item.parent ? `${pad}${segmentKey(item.key)}:\n${pad}  ` : `${pad}${segmentKey(item.key)}: `;
  const next = text.slice(0, c.lineStart) + insert + text.slice(end);
  return { text: next, offset: c.lineStart + insert.length };
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
