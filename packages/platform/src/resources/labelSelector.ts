/** A label selector that cannot be read; `message` says where. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
}

export type Requirement =
  | { key: string; op: 'exists' | 'absent' }
  | { key: string; op: 'in' | 'notin'; values: string[] };

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function key(k: string, text: string): string {
  if (!KEY.test(k) || k.length > 316) throw new LabelSelectorError(`"${k}" in "${text}" is not a label key`);
  return k;
}
function value(v: string, text: string): string {
  if (!VALUE.test(v) || v.length > 63)
    throw new LabelSelectorError(`"${v}" in "${text}" is not a label value`);
  return v;
}

/** Splits on commas outside parentheses. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

/**
 * Reads a Kubernetes label selector (pure): `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`, joined by commas (all must hold).
 */
export function parseLabelSelector(text: string): Requirement[] {
  const out: Requirement[] = [];
  for (const t of terms(text)) {
    let m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(t);
    if (m) {
      const [, k, op, v] = m as unknown as [string, string, string, string];
      out.push({ key: key(k, text), op: op === '!=' ? 'notin' : 'in', values: [value(v, text)] });
      continue;
    }
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
    if (m) {
      const [, k, op, list] = m as unknown as [string, string, 'in' | 'notin', string];
      const values = list
        .split(',')
        .map((v) => v.trim())
        .map((v) => value(v, text));
      out.push({ key: key(k, text), op, values });
      continue;
    }
    m = /^(!?)\s*(\S+)$/.exec(t);
    if (m) {
      out.push({ key: key(m[2] as string, text), op: m[1] ? 'absent' : 'exists' });
      continue;
    }
    throw new LabelSelectorError(`cannot read "${t}" in "${text}"`);
  }
  return out;
}

/** Whether labels satisfy every requirement (pure). */
export function matchesLabels(
  reqs: readonly Requirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'absent':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key] as string);
      default:
        return !has || !r.values.includes(l[r.key] as string);
    }
  });
}
