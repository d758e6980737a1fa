/** Values as YAML for reading (pure): block style, keys in their order, strings quoted when they need it. */

const PLAIN = /^[A-Za-z_./][\w./ -]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  if (s === '***') return s;
  if (s !== '' && PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(' ') && !/: | #/.test(s)) return s;
  return JSON.stringify(s);
}

function key(k: string): string {
  return PLAIN.test(k) && !RESERVED.test(k) && !k.includes(' ') ? k : JSON.stringify(k);
}

const isFilled = (x: unknown): x is object =>
  x !== null && typeof x === 'object' && Object.keys(x).length > 0;

function empty(x: unknown): string {
  return Array.isArray(x) ? '[]' : '{}';
}

function lines(v: unknown, indent: string): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${indent}[]`];
    return v.flatMap((item) => {
      if (isFilled(item)) {
        const inner = lines(item, `${indent}  `);
        return [`${indent}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
      }
      return [`${indent}- ${item !== null && typeof item === 'object' ? empty(item) : scalar(item)}`];
    });
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return [`${indent}{}`];
    return entries.flatMap(([k, x]) => {
      if (isFilled(x)) return [`${indent}${key(k)}:`, ...lines(x, `${indent}  `)];
      if (typeof x === 'string' && x.includes('\n'))
        return [
          `${indent}${key(k)}: |`,
          ...x
            .replace(/\n$/, '')
            .split('\n')
            .map((l) => `${indent}  ${l}`),
        ];
      return [`${indent}${key(k)}: ${x !== null && typeof x === 'object' ? empty(x) : scalar(x)}`];
    });
  }
  return [`${indent}${scalar(v)}`];
}

/** The text of a value as YAML, ending in a newline. */
export function toYaml(v: unknown): string {
  return `${lines(v, '').join('\n')}\n`;
}
