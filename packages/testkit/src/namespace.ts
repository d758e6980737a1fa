import { randomBytes } from 'node:crypto';

/** A unique, valid namespace name for one test: `t-<hint>-<random>`, at most 63 characters. */
export function testNamespace(hint: string): string {
  const clean = hint
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `t-${clean || 'x'}-${randomBytes(3).toString('hex')}`;
}
