import { type Document, isMap, isScalar, isSeq, type Node, parseAllDocuments, type Scalar } from 'yaml';

/** The comment sops is told to look for (`encrypted_comment_regex`) before a key to encrypt. */
export const ENCRYPT_MARKER = 'mooring:encrypt';
export const ENCRYPT_MARKER_REGEX = `^\\s*${ENCRYPT_MARKER}\\s*$`;

/**
 * Splits an `encrypted_paths` entry into keys. Dots separate keys; a dot that starts a key
 * belongs to it, so `.dockerconfigjson` is the key `.dockerconfigjson` and
 * `data..dockerconfigjson` is `data` → `.dockerconfigjson`. Numeric keys index sequences.
 */
export function parseEncryptedPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '.' && cur !== '') {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * A regular expression matching the leaf keys of `paths` (`^(?:password|\.dockerconfigjson)$`).
 * sops applies `--encrypted-regex` to key names at any depth, so this may encrypt more than
 * asked (a `password` elsewhere too) but never less. Used for JSON, which has no comments.
 */
export function leafKeyRegex(paths: readonly string[]): string {
  const leaves = [...new Set(paths.map((p) => parseEncryptedPath(p).at(-1)).filter((k): k is string => !!k))];
  return `^(?:${leaves.map(escapeRegex).join('|')})$`;
}

export interface MarkResult {
  /** The YAML with a marker comment before every key to encrypt. */
  text: string;
  /** The dot paths that were found and marked (as they resolved in the document). */
  marked: string[];
  /** The requested paths that matched nothing. */
  unmatched: string[];
}

/**
 * Puts a `# mooring:encrypt` comment before each key named by `paths`, in every YAML document.
 * A path is looked up from the document root first; when that finds nothing it matches the
 * same key chain at any depth (so `.dockerconfigjson` finds `data..dockerconfigjson` in a Secret).
 * Only the marked values (and everything below them) get encrypted; other keys stay readable.
 */
export function markEncryptedPaths(yamlText: string, paths: readonly string[]): MarkResult {
  const docs = parseAllDocuments(yamlText);
  if (!Array.isArray(docs)) return { text: yamlText, marked: [], unmatched: [...paths] };
  const marked = new Set<string>();
  const found = new Set<string>();
  for (const doc of docs) {
    if (doc.errors.length > 0) throw doc.errors[0];
    for (const path of paths) {
      const keys = parseEncryptedPath(path);
      if (keys.length === 0) continue;
      let hits = resolveAt(doc.contents as Node | null, keys, []);
      if (hits.length === 0) hits = resolveAnywhere(doc.contents as Node | null, keys, []);
      for (const h of hits) {
        addMarker(h.key);
        marked.add(h.path.join('.'));
        found.add(path);
      }
    }
  }
  return {
    text: docs.map((d) => (d as Document).toString({ lineWidth: 0 })).join(''),
    marked: [...marked].sort(),
    unmatched: paths.filter((p) => !found.has(p)),
  };
}

interface Hit {
  key: Scalar;
  path: string[];
}

function resolveAt(node: Node | null, keys: string[], at: string[]): Hit[] {
  if (!node || keys.length === 0) return [];
  const [first, ...rest] = keys as [string, ...string[]];
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key) || String(pair.key.value) !== first) continue;
      if (rest.length === 0) return [{ key: pair.key, path: [...at, first] }];
      return resolveAt(pair.value as Node | null, rest, [...at, first]);
    }
  } else if (isSeq(node) && /^\d+$/.test(first)) {
    const item = node.items[Number(first)];
    // a sequence item has no key to put a comment on; mark the keys below it instead
    if (rest.length === 0)
      return isMap(item)
        ? item.items.flatMap((p) =>
            isScalar(p.key) ? [{ key: p.key, path: [...at, first, String(p.key.value)] }] : [],
          )
        : [];
    return resolveAt(item as Node | null, rest, [...at, first]);
  }
  return [];
}

function resolveAnywhere(node: Node | null, keys: string[], at: string[]): Hit[] {
  if (!node) return [];
  const hits = at.length > 0 ? resolveAt(node, keys, at) : [];
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key))
        hits.push(...resolveAnywhere(pair.value as Node | null, keys, [...at, String(pair.key.value)]));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      hits.push(...resolveAnywhere(item as Node | null, keys, [...at, String(i)]));
    });
  }
  return hits;
}

function addMarker(key: Scalar): void {
  const existing = key.commentBefore ?? '';
  if (existing.split('\n').some((l) => l.trim() === ENCRYPT_MARKER)) return;
  key.commentBefore = existing ? `${existing}\n ${ENCRYPT_MARKER}` : ` ${ENCRYPT_MARKER}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
