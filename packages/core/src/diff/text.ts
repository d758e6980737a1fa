import { stringify } from 'yaml';
import type { DiffChange } from './compare.ts';

function render(value: unknown): string[] {
  if (value === undefined) return [];
  if (value !== null && typeof value === 'object') return stringify(value).trimEnd().split('\n');
  return [typeof value === 'string' ? JSON.stringify(value) : String(value)];
}

/**
 * A unified-style, human-readable rendering of changes: one hunk per changed path, live lines
 * prefixed "-" and desired lines "+".
 *
 * ```
 * --- live Deployment/shop/web
 * +++ desired Deployment/shop/web
 * @@ /spec/replicas (replace) @@
 * -5
 * +3
 * ```
 */
export function renderDiffText(changes: readonly DiffChange[], ref: string): string {
  if (changes.length === 0) return '';
  const lines = [`--- live ${ref}`, `+++ desired ${ref}`];
  for (const c of changes) {
    lines.push(`@@ ${c.path || '/'} (${c.op}) @@`);
    for (const l of render(c.live)) lines.push(`-${l}`);
    for (const l of render(c.desired)) lines.push(`+${l}`);
  }
  return `${lines.join('\n')}\n`;
}
