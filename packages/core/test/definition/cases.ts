// Builders for small definitions used by the invalid-definition table and the fuzz test.
// A `«` in any file marks where the expected diagnostic points; it is removed before loading.

export const HEAD = 'apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: test\nspec:\n';

/** A whole definition: `spec:` extras (indented 2) then stacks (each from `stack()`). */
export function cluster(stacks: string[], specExtra = ''): string {
  return `${HEAD}${specExtra}  stacks:\n${stacks.join('')}`;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => pad + l)
    .join('\n');
}

/** A stack; `body` holds its other fields (`manifests:` / `addons:` lines) indented 0. */
export function stack(name: string, body: string): string {
  return `    - name: ${name}\n${indent(body, 6)}\n`;
}

export const ADDON: Readonly<Record<string, string>> = {
  name: 'a',
  chart_name: 'c',
  chart_version: '"1.0.0"',
  namespace: 'ns',
  registry_name: 'r',
  registry_url: 'https://r.example.com',
};

/** An add-on list item (indented for `addons:` at 0): fields in ADDON order, overrides replace or drop (null). */
export function addon(over: Record<string, string | null> = {}, extra = ''): string {
  const fields: [string, string][] = [];
  const keys = [...Object.keys(ADDON), ...Object.keys(over).filter((k) => !(k in ADDON))];
  for (const k of keys) {
    const v = k in over ? over[k] : ADDON[k];
    if (v === null || v === undefined) continue;
    fields.push([k, v]);
  }
  const lines = fields.map(([k, v], i) => `${i === 0 ? '  - ' : '    '}${k}: ${v}`);
  if (extra) lines.push(indent(extra, 4));
  return lines.join('\n');
}

export function addons(...items: string[]): string {
  return `addons:\n${items.join('\n')}`;
}

export function manifests(...items: string[]): string {
  return `manifests:\n${items.join('\n')}`;
}

/** A manifest list item with inline content. */
export function manifest(name: string, extra = ''): string {
  const lines = [
    `  - name: ${name}`,
    '    manifest: |',
    `      apiVersion: v1`,
    `      kind: ConfigMap`,
    `      metadata: { name: ${name} }`,
  ];
  if (extra) lines.push(indent(extra, 4));
  return lines.join('\n');
}

export interface Marked {
  files: Record<string, string>;
  at?: { file: string; line: number; column: number };
}

/** Strips `«` markers and returns where the (single) marker was. */
export function unmark(files: Record<string, string>): Marked {
  const out: Record<string, string> = {};
  let at: Marked['at'];
  for (const [file, text] of Object.entries(files)) {
    const i = text.indexOf('«');
    if (i >= 0) {
      const before = text.slice(0, i);
      const line = before.split('\n').length;
      const column = i - before.lastIndexOf('\n');
      at = { file, line, column };
    }
    out[file] = text.replaceAll('«', '');
  }
  return at ? { files: out, at } : { files: out };
}
