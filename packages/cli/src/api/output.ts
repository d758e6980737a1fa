/** How platform commands print: `-o text` (aligned tables, `key: value` lines), `json` or `yaml` (pure). */
import { stringify } from 'yaml';
import { UsageError } from '../io.ts';

export type OutputFormat = 'text' | 'json' | 'yaml';

export function parseFormat(v: string | undefined): OutputFormat {
  if (v === undefined || v === 'text' || v === 'json' || v === 'yaml') return v ?? 'text';
  throw new UsageError(`--output must be text, json or yaml, got ${JSON.stringify(v)}`);
}

/** JSON or YAML of a value, ending with a newline. */
export function serialise(format: 'json' | 'yaml', value: unknown): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}

/** A cell: null and undefined show as `-`. */
export function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Columns padded to their widest cell, two spaces apart, no trailing spaces. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [headers.map(String), ...rows.map((r) => headers.map((_, i) => cell(r[i])))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** `key: value` lines with the values aligned. */
export function fields(pairs: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  return pairs
    .map(([k, v]) => `${`${k}:`.padEnd(width)}  ${cell(v)}`.trimEnd())
    .join('\n')
    .concat('\n');
}

/** How long ago an ISO time was, e.g. `42s ago`, `3m ago`, `2h ago`, `5d ago`. */
export function ago(iso: string | null | undefined, now: Date): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
