import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelmNotFoundError, locateHelm } from '../src/locate.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'locate-helm-'));
  for (const d of ['a', 'b', 'c']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'b', 'helm'), '#!/bin/sh\n');
  chmodSync(join(dir, 'b', 'helm'), 0o755);
  writeFileSync(join(dir, 'a', 'helm'), 'not executable');
  chmodSync(join(dir, 'a', 'helm'), 0o644);
  mkdirSync(join(dir, 'c', 'helm')); // a directory named helm
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = (...ds: string[]) => ds.map((d) => join(dir, d)).join(delimiter);

describe('locateHelm', () => {
  it('finds the first executable helm on PATH, skipping files that are not executable and directories', () => {
    expect(locateHelm({ path: path('c', 'a', 'b'), cwd: dir })).toBe(join(dir, 'b', 'helm'));
  });

  it('takes a path, relative to cwd', () => {
    expect(locateHelm({ binary: 'b/helm', origin: '--helm', cwd: dir })).toBe(join(dir, 'b', 'helm'));
  });

  it('fails at once, saying how to get helm, when there is none on PATH', () => {
    expect(() => locateHelm({ path: path('a', 'c'), cwd: dir })).toThrow(HelmNotFoundError);
    expect(() => locateHelm({ path: path('a', 'c'), cwd: dir })).toThrow(
      'helm not found: no helm on PATH: install Helm (https://helm.sh/docs/intro/install/) or pass --helm PATH or set MOORING_HELM',
    );
    expect(() => locateHelm({ path: undefined, cwd: dir })).toThrow('no helm on PATH');
  });

  it('names where a bad path came from', () => {
    expect(() => locateHelm({ binary: join(dir, 'a', 'helm'), origin: 'MOORING_HELM', cwd: dir })).toThrow(
      `helm not found: ${join(dir, 'a', 'helm')} (MOORING_HELM) is not an executable file: install Helm`,
    );
    expect(() => locateHelm({ binary: 'helm3', origin: '--helm', path: path('b'), cwd: dir })).toThrow(
      'helm not found: no helm3 on PATH (--helm)',
    );
  });
});
