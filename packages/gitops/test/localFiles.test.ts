import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinition } from '@mooring/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepoRoot, LocalFileSource } from '../src/localFiles.ts';

let dir: string;
let outside: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mooring-local-'));
  outside = mkdtempSync(join(tmpdir(), 'mooring-outside-'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git', 'config'), '[core]\n');
  mkdirSync(join(dir, 'clusters', 'prod'), { recursive: true });
  mkdirSync(join(dir, 'addons', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'addons', 'b.yaml'), 'name: b\n');
  writeFileSync(join(dir, 'addons', 'sub', 'a.yml'), 'name: a\n');
  writeFileSync(join(dir, 'addons', 'notes.txt'), 'x');
  writeFileSync(join(outside, 'secret.yaml'), 'password: x\n');
  symlinkSync(join(outside, 'secret.yaml'), join(dir, 'addons', 'escape.yaml'));
  symlinkSync(outside, join(dir, 'linkdir'));
  writeFileSync(
    join(dir, 'clusters', 'prod', 'c.yaml'),
    [
      'apiVersion: v1',
      'kind: ImportCluster',
      'metadata: { name: t }',
      'spec:',
      '  stacks:',
      '    - name: s',
      '      addons:',
      '        - name: x',
      '          chart_name: x',
      '          chart_version: "1.0.0"',
      '          namespace: x',
      '          repository_url: https://charts.example.com',
      '          configuration: { from_file: ../../values/x.yaml }',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'values'));
  writeFileSync(join(dir, 'values', 'x.yaml'), 'replicas: 2\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('LocalFileSource', () => {
  it('reads files by repository path', () => {
    const src = new LocalFileSource(dir);
    expect(src.readFile('addons/b.yaml')).toBe('name: b\n');
    expect(src.readFile('./addons//sub/../b.yaml')).toBe('name: b\n');
    expect(src.readFile('addons')).toBeUndefined();
    expect(src.readFile('nope.yaml')).toBeUndefined();
  });

  it('lists files recursively, sorted, without .git and without escaping symlinks', () => {
    const src = new LocalFileSource(dir);
    expect(src.listFiles('addons')).toEqual(['addons/b.yaml', 'addons/notes.txt', 'addons/sub/a.yml']);
    expect(src.listFiles('')).not.toContain('.git/config');
    expect(src.listFiles('linkdir')).toEqual([]);
  });

  it('never reads outside the root', () => {
    const src = new LocalFileSource(dir);
    expect(src.readFile('../x')).toBeUndefined();
    expect(src.readFile('addons/escape.yaml')).toBeUndefined();
    expect(src.readFile('linkdir/secret.yaml')).toBeUndefined();
    expect(src.exists('addons/escape.yaml')).toBe(false);
  });

  it('knows folders and files', () => {
    const src = new LocalFileSource(dir);
    expect(src.exists('addons')).toBe(true);
    expect(src.exists('addons/sub/a.yml')).toBe(true);
    expect(src.exists('addons/zzz')).toBe(false);
  });

  it('maps disk paths to repository paths', () => {
    const src = new LocalFileSource(dir);
    expect(src.toRepoPath(join(dir, 'clusters', 'prod', 'c.yaml'))).toBe('clusters/prod/c.yaml');
    expect(src.toRepoPath(join(outside, 'secret.yaml'))).toBeUndefined();
  });

  it('finds the repository root from a file', () => {
    expect(findRepoRoot(join(dir, 'clusters', 'prod', 'c.yaml'))).toBe(dir);
    expect(findRepoRoot(join(outside, 'secret.yaml'))).toBe(outside);
  });

  it('feeds the core loader', () => {
    const r = loadDefinition(new LocalFileSource(dir), 'clusters/prod/c.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.definition!.stacks[0]!.addons[0]!.values.parsed).toEqual({ replicas: 2 });
  });
});
