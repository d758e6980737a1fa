// Test helpers: read a testdata folder into an in-memory file set.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MemoryFileSource } from '../../src/definition/index.ts';

export const TESTDATA = join(import.meta.dirname, 'testdata');

export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

export function sourceFromDir(dir: string): MemoryFileSource {
  return new MemoryFileSource(readTree(dir));
}
