// Deterministic mutation fuzzing: thousands of broken variants of valid definitions.
// Nothing may throw; every invalid result names a file, line and column for each error.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, loadDefinition, MemoryFileSource } from '../../src/definition/index.ts';
import { addon, addons, cluster, manifest, manifests, stack } from './cases.ts';
import { readTree, TESTDATA } from './helpers.ts';

/** mulberry32: small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const SCALARS = [
  '123',
  '1.20',
  'true',
  'null',
  '""',
  '[]',
  '{}',
  '[a, b]',
  '{ a: 1 }',
  '~',
  "'x'",
  '-1',
  '0x1F',
  'ENC[AES256_GCM,data:x]',
  '${{ ankra.nope }}',
  '|',
  '&a x',
  '*a',
  '!!binary x',
];
const WORDS = [
  'name',
  'parents',
  'addon',
  'manifest',
  'kind',
  'include',
  'from_file',
  'chart_version',
  'settings',
  'engine',
  'namespace',
  'deploy_wave',
  'values',
];

/** One textual mutation of a YAML text. */
function mutate(text: string, r: Rand): string {
  const lines = text.split('\n');
  const i = Math.floor(r() * lines.length);
  const line = lines[i] ?? '';
  const op = Math.floor(r() * 10);
  switch (op) {
    case 0: // delete a line
      lines.splice(i, 1);
      break;
    case 1: // duplicate a line (duplicate keys, duplicate list items)
      lines.splice(i, 0, line);
      break;
    case 2: {
      // rename a key: drop, swap or change a character
      const m = /^(\s*-?\s*)([A-Za-z_]+)(:.*)$/.exec(line);
      if (m) {
        const k = m[2]!;
        const j = Math.floor(r() * k.length);
        const variants = [
          k.slice(0, j) + k.slice(j + 1),
          k.slice(0, j) + (k[j + 1] ?? '') + k[j] + k.slice(j + 2),
          k + 's',
          pick(r, WORDS),
        ];
        lines[i] = m[1] + pick(r, variants) + m[3];
      }
      break;
    }
    case 3: {
      // change a scalar's type
      const m = /^(\s*-?\s*[A-Za-z_]+:\s*)(.+)$/.exec(line);
      if (m) lines[i] = m[1] + pick(r, SCALARS);
      break;
    }
    case 4: // break indentation
      lines[i] = r() < 0.5 ? ` ${line}` : line.replace(/^ /, '');
      break;
    case 5: // swap parent kinds / names
      lines[i] = line
        .replace(/manifest:/, 'ADDON_TMP:')
        .replace(/addon:/, 'manifest:')
        .replace(/ADDON_TMP:/, 'addon:')
        .replace(/(parents:\s*\[\{\s*\w+:\s*)\w+/, '$1a');
      break;
    case 6: // swap two lines
      {
        const j = Math.floor(r() * lines.length);
        [lines[i], lines[j]] = [lines[j] ?? '', line];
      }
      break;
    case 7: // insert garbage
      lines.splice(
        i,
        0,
        pick(r, ['  - ', ':', '- - -', '? x', '{', ']', '\t x: 1', '---', '  include: nowhere/', '#']),
      );
      break;
    case 8: // truncate the text
      return text.slice(0, Math.floor(r() * text.length));
    default: // add a parent reference to a random existing name
      lines.splice(
        i + 1,
        0,
        `${line.match(/^\s*/)![0]}parents: [{ ${pick(r, ['addon', 'manifest'])}: ${pick(r, ['a', 'b', 'ns', 'm', 'loki', 'grafana'])} }]`,
      );
  }
  return lines.join('\n');
}

const SMALL: Record<string, string> = {
  'c.yaml': cluster(
    [
      stack(
        'one',
        `deploy_wave: 0\nvariables: { v: x }\n${manifests(manifest('ns'))}\n${addons(addon({}, 'parents: [{ manifest: ns }]\nconfiguration:\n  values: |\n    k: ${{ ankra.v }}'), addon({ name: 'b' }, 'parents:\n  - name: a\n    kind: addon\nsettings:\n  sync_window: { schedule: "0 1 * * *", duration: 1h }'))}`,
      ),
      stack(
        'two',
        `${addons(addon({ name: 'c' }, 'configuration:\n  from_file: v.yaml'))}\n${manifests('  - include: m/')}`,
      ),
    ],
    '  helm_registries:\n    - name: r\n      url: https://r.example.com\n',
  ),
  'v.yaml': 'a: 1\nb: [1, 2]\n',
  'm/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n',
  'm/y.yaml':
    '- name: m\n  manifest: |\n    apiVersion: v1\n    kind: Namespace\n    metadata: { name: m }\n',
};

const REALISTIC = readTree(join(TESTDATA, 'realistic'));

function run(
  base: Record<string, string>,
  main: string,
  seed: number,
  iterations: number,
): { invalid: number; valid: number } {
  const r = prng(seed);
  const yamlFiles = Object.keys(base).filter((f) => /\.ya?ml$/.test(f));
  let invalid = 0;
  let valid = 0;
  for (let n = 0; n < iterations; n++) {
    const files = { ...base };
    const count = 1 + Math.floor(r() * 3);
    for (let k = 0; k < count; k++) {
      const f = r() < 0.6 ? main : pick(r, yamlFiles);
      files[f] = mutate(files[f]!, r);
    }
    const source = new MemoryFileSource(files);
    let result: ReturnType<typeof loadDefinition>;
    try {
      result = loadDefinition(source, main);
    } catch (e) {
      throw new Error(
        `seed ${seed} iteration ${n}: loadDefinition threw ${(e as Error).stack}\n--- ${main}:\n${files[main]}`,
      );
    }
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    for (const d of result.diagnostics) {
      const ok =
        d.file !== '' &&
        source.readFile(d.file) !== undefined &&
        d.line >= 1 &&
        d.column >= 1 &&
        d.code !== undefined;
      if (!ok)
        throw new Error(
          `seed ${seed} iteration ${n}: bad position ${JSON.stringify(d)}\n--- ${main}:\n${files[main]}`,
        );
      const lines = source.readFile(d.file)!.split('\n').length;
      if (d.line > lines + 1)
        throw new Error(`seed ${seed} iteration ${n}: line beyond end ${JSON.stringify(d)}`);
    }
    if (errors.length > 0) {
      invalid++;
      expect(result.definition).toBeUndefined();
    } else {
      valid++;
      expect(result.definition).toBeDefined();
      buildPlan(result.definition!);
    }
  }
  return { invalid, valid };
}

describe('fuzz', () => {
  it('survives 2500 mutations of a small definition', () => {
    const { invalid, valid } = run(SMALL, 'c.yaml', 20240601, 2500);
    expect(invalid).toBeGreaterThan(1000);
    expect(valid).toBeGreaterThan(0);
  }, 60_000);

  it('survives 1000 mutations of the realistic repository', () => {
    const { invalid } = run(REALISTIC, 'clusters/prod/import-cluster.yaml', 7, 1000);
    expect(invalid).toBeGreaterThan(300);
  }, 60_000);
});
