import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadDefinition, MemoryFileSource } from '@mooring/core';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { SECRET_MASK, Workspace } from '../src/drafts/workspace.ts';
import { matchLines, mergeEdit } from '../src/drafts/yamlText.ts';

// Round-trip safety of the Stack Builder's edits: every fixture repository in the tree and a
// seeded corpus of generated definitions (comments, flow and block styles, quoting, 2- and
// 4-space indentation, unindented sequences, includes, fields Mooring does not know) are
// loaded, every stack and member is written back with what was read, and nothing changes.

const root = join(import.meta.dirname, '../../..');

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const FIXTURES: { name: string; dir: string; cluster: string }[] = [
  { name: 'examples', dir: 'examples', cluster: 'import-cluster.yaml' },
  {
    name: 'core realistic',
    dir: 'packages/core/test/definition/testdata/realistic',
    cluster: 'clusters/prod/import-cluster.yaml',
  },
  {
    name: 'core multi-cluster alpha',
    dir: 'packages/core/test/definition/testdata/multi-cluster',
    cluster: 'clusters/alpha/cluster.yaml',
  },
  {
    name: 'core multi-cluster beta',
    dir: 'packages/core/test/definition/testdata/multi-cluster',
    cluster: 'clusters/beta/cluster.yaml',
  },
];

/** Writes every stack and member back with exactly what its view shows (through JSON, as the API does). */
function writeBack(ws: Workspace): void {
  const stacks = JSON.parse(JSON.stringify(ws.stacks())) as ReturnType<Workspace['stacks']>;
  for (const s of stacks) {
    ws.updateStack(s.name, s.fields);
    for (const m of [...s.addons, ...s.manifests])
      ws.updateMember(
        s.name,
        m.kind,
        m.name,
        m.kind === 'manifest' && m.content_file === m.file ? {} : m.fields,
        m.values ?? m.manifest,
      );
  }
}

function memberCount(ws: Workspace): number {
  return ws.stacks().reduce((n, s) => n + s.addons.length + s.manifests.length, 0);
}

describe('fixture repositories: load, write back unchanged, no diff', () => {
  for (const f of FIXTURES) {
    it(f.name, () => {
      const files = readTree(join(root, f.dir));
      const ws = new Workspace(files, f.cluster);
      expect(memberCount(ws)).toBeGreaterThan(0);
      writeBack(ws);
      expect(ws.changes()).toEqual({});
    });
  }

  it('renaming a member and back, and a stack and back, leaves every file as it was', () => {
    const f = FIXTURES[1]!;
    const files = readTree(join(root, f.dir));
    let current: Record<string, string | null> = { ...files };
    const step = (edit: (ws: Workspace) => void) => {
      const ws = new Workspace(current, f.cluster);
      edit(ws);
      current = { ...current, ...ws.changes() };
    };
    step((ws) => ws.updateMember('foundation', 'addon', 'cert-manager', { name: 'cm' }, undefined));
    expect(current[f.cluster]).not.toBe(files[f.cluster]);
    step((ws) => ws.updateMember('foundation', 'addon', 'cm', { name: 'cert-manager' }, undefined));
    step((ws) => ws.updateStack('logging', { name: 'logs' }));
    step((ws) => ws.updateStack('logs', { name: 'logging' }));
    expect(current).toEqual(files);
  });

  it('an edit changes only its own lines; comments and flow styles elsewhere stay', () => {
    const files = readTree(join(root, 'examples'));
    const ws = new Workspace(files, 'import-cluster.yaml');
    ws.updateMember(
      'platform',
      'addon',
      'widgets',
      { chart_version: '0.2.0', settings: { sync_policy: { self_heal: false } } },
      undefined,
    );
    const out = ws.changes();
    expect(Object.keys(out)).toEqual(['import-cluster.yaml']);
    const before = files['import-cluster.yaml']!.split('\n');
    const after = out['import-cluster.yaml']!.split('\n');
    expect(after.length).toBe(before.length);
    const changed = before.map((l, i) => [l, after[i]]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
      ['          chart_version: "0.1.0"', '          chart_version: "0.2.0"'],
      ['              self_heal: true', '              self_heal: false'],
    ]);
    expect(out['import-cluster.yaml']).toContain('# the sandbox serves these charts');
    expect(out['import-cluster.yaml']).toContain('sync_options: [CreateNamespace=true]');
  });

  it('a new stack with an add-on: values in values/NAME.yaml by from_file, the definition validates', () => {
    const files = readTree(join(root, 'examples'));
    const ws = new Workspace(files, 'import-cluster.yaml');
    ws.createStack('tools', { deploy_wave: 3, description: 'Tools' });
    ws.createMember(
      'tools',
      'addon',
      'redis',
      {
        chart_name: 'slow-rollout',
        chart_version: '0.1.0',
        registry_name: 'mooring-examples',
        registry_url: 'https://charts.example.invalid/mooring',
        namespace: 'tools',
        parents: [{ addon: 'widgets' }],
      },
      'replicas: 2\n',
    );
    ws.createMember(
      'tools',
      'manifest',
      'tools-ns',
      {},
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n',
    );
    const out = ws.changes();
    expect(out['values/redis.yaml']).toBe('replicas: 2\n');
    // not in manifests/: the platform stack includes that folder, the file would be a member of its own
    expect(out['manifests/tools-ns.yaml']).toBeUndefined();
    expect(out['tools/manifests/tools-ns.yaml']).toContain('kind: Namespace');
    const all = { ...files, ...out } as Record<string, string>;
    const r = loadDefinition(new MemoryFileSource(all), 'import-cluster.yaml');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const tools = r.definition!.stacks.find((s) => s.name === 'tools')!;
    expect(tools.deployWave).toBe(3);
    expect(out['import-cluster.yaml']).toContain('from_file: values/redis.yaml');
    // the original text is a prefix: the stack was appended, nothing above moved
    expect(out['import-cluster.yaml']!.startsWith(files['import-cluster.yaml']!.trimEnd())).toBe(true);
  });

  it('deleting a member drops the parents naming it and the files only it used', () => {
    const files = readTree(join(root, 'examples'));
    const ws = new Workspace(files, 'import-cluster.yaml');
    const apps = ws.stack('apps');
    const withFile = apps.addons.find((a) => a.content_file);
    expect(withFile).toBeDefined();
    ws.deleteMember('apps', 'addon', withFile!.name);
    const out = ws.changes();
    expect(out[withFile!.content_file!]).toBeNull();
    expect(out[withFile!.file]).toBeNull();
    const r = loadDefinition(new MemoryFileSource({ ...files, ...out } as never), 'import-cluster.yaml');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('values chosen for encryption are masked in views and keep their value when written back masked', () => {
    const files = readTree(join(root, 'examples'));
    const ws = new Workspace(files, 'import-cluster.yaml');
    ws.updateMember(
      'platform',
      'addon',
      'widgets',
      { configuration: { encrypted_paths: ['widget.password'] } },
      'widget:\n  size: 5\n  password: hunter2\n',
    );
    const view = ws.member('platform', 'addon', 'widgets');
    expect(view.values).not.toContain('hunter2');
    expect(view.values).toContain(SECRET_MASK);
    // inline values moved to a file of their own for SOPS
    expect(view.content_file).toBe('values/widgets.yaml');
    ws.updateMember('platform', 'addon', 'widgets', {}, view.values!.replace('size: 5', 'size: 6'));
    expect(ws.changes()['values/widgets.yaml']).toBe('widget:\n  size: 6\n  password: hunter2\n');
    expect(ws.encryptionPlan()).toEqual([
      { file: 'values/widgets.yaml', paths: ['widget.password'], member: 'addon/widgets' },
    ]);
  });
});

// ---- a generated corpus ---------------------------------------------------------------------

/** mulberry32: a small seeded generator, so a failure names a seed that reproduces it. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

const errorsBut = (ds: { severity: string; code: string }[]) =>
  ds.filter((d) => d.severity === 'error' && d.code !== 'unknown-field');

interface Corpus {
  files: Record<string, string>;
  cluster: string;
}

function generate(seed: number): Corpus {
  const r = rng(seed);
  const ind = r.pick([2, 4]);
  const seqIndent = r.chance(0.7);
  const sp = (n: number) => ' '.repeat(n * ind);
  // `key:` then a block sequence at `level`
  const seqPrefix = (level: number) => (seqIndent ? sp(level + 1) : sp(level));
  const quote = (s: string) => r.pick([s, `"${s}"`, `'${s}'`]);
  const flow = (xs: string[]) => (r.chance(0.5) ? `[${xs.join(', ')}]` : `[ ${xs.join(', ')} ]`);
  const comment = () => (r.chance(0.3) ? `  # note ${r.int(100)}` : '');
  const dir = r.pick(['', 'clusters/c1/', 'fleet/eu/c2/']);
  const files: Record<string, string> = {};
  const L: string[] = [];
  if (r.chance(0.3)) L.push('# generated cluster definition', '');
  L.push('apiVersion: v1', 'kind: ImportCluster', 'metadata:', `${sp(1)}name: gen-${seed}${comment()}`);
  if (r.chance(0.5)) L.push(`${sp(1)}x-owner: team-${r.int(9)}`);
  L.push('spec:');
  if (r.chance(0.4)) L.push(`${sp(1)}future_field: {a: 1, b: [x, y]}`);
  L.push(`${sp(1)}stacks:`);
  const stacks = 1 + r.int(4);
  const names: string[] = [];
  for (let s = 0; s < stacks; s++) {
    const p = seqPrefix(1);
    const q = `${p}  `.replace(/ {2}$/, ' '.repeat(2));
    const inner = (n: number) => `${p}${' '.repeat(2)}${sp(n)}`;
    if (s > 0 && r.chance(0.4)) L.push('');
    L.push(`${p}- name: ${quote(`stack-${s}`)}${comment()}`);
    if (r.chance(0.5)) L.push(`${q}deploy_wave: ${r.int(4)}`);
    if (r.chance(0.4)) L.push(`${q}description: "Stack number ${s}"`);
    if (r.chance(0.3)) L.push(`${q}variables:`, `${inner(1)}region: eu-${r.int(3)}`);
    if (r.chance(0.2)) L.push(`${q}x-unknown-stack-field: ${r.int(50)}`);
    L.push(`${q}addons:`);
    names.length = 0; // parents within the stack
    const ap = `${p}  ${seqIndent ? sp(1) : ''}`;
    const members = 1 + r.int(3);
    for (let m = 0; m < members; m++) {
      const name = `s${s}-a${m}`;
      const e = `${ap}  `;
      L.push(`${ap}- name: ${name}`);
      L.push(`${e}chart_name: ${quote('podinfo')}`, `${e}chart_version: "6.${r.int(9)}.0"`);
      L.push(`${e}repository_url: https://charts.example.com`, `${e}namespace: ns-${s}`);
      if (names.length > 0 && r.chance(0.5)) {
        if (r.chance(0.5)) L.push(`${e}parents: ${flow([`{addon: ${r.pick(names)}}`])}`);
        else L.push(`${e}parents:`, `${e}${seqIndent ? sp(1) : ''}- addon: ${r.pick(names)}`);
      }
      const style = r.int(3);
      if (style === 0)
        L.push(
          `${e}configuration:`,
          `${e}${sp(1)}values: |`,
          `${e}${sp(2)}replicas: ${r.int(5)}`,
          `${e}${sp(2)}image: {tag: "1.${r.int(9)}"}`,
        );
      else if (style === 1) {
        const vf = `values/${name}.yaml`;
        files[`${dir}${vf}`] = `# values of ${name}\nreplicas: ${r.int(5)}\n`;
        L.push(`${e}configuration:`, `${e}${sp(1)}from_file: ${vf}`);
      }
      if (r.chance(0.5))
        L.push(
          `${e}settings:`,
          `${e}${sp(1)}sync_policy:`,
          `${e}${sp(2)}sync_options: ${flow(['CreateNamespace=true'])}`,
        );
      if (r.chance(0.3)) L.push(`${e}x-team-annotation: ${quote(`owner ${r.int(9)}`)}${comment()}`);
      names.push(name);
    }
    if (r.chance(0.5)) {
      const inc = `addons-${s}/`;
      L.push(`${ap}- include: ${inc}`);
      const n = `s${s}-inc`;
      files[`${dir}${inc}${n}.yaml`] =
        `name: ${n}\nchart_name: podinfo\nchart_version: "6.0.0"\nrepository_url: https://charts.example.com\nnamespace: ns-${s}\nx-kept: ${r.int(9)}\n`;
    }
  }
  files[`${dir}cluster.yaml`] = `${L.join('\n')}\n`;
  return { files, cluster: `${dir}cluster.yaml` };
}

describe('a generated corpus (seeded)', () => {
  const SEEDS = Array.from({ length: 200 }, (_, i) => 1000 + i);

  it('every generated definition loads and writes back unchanged', () => {
    for (const seed of SEEDS) {
      const c = generate(seed);
      const loaded = loadDefinition(new MemoryFileSource(c.files), c.cluster);
      // fields Mooring does not know are reported by name, and nothing else is wrong
      expect(errorsBut(loaded.diagnostics), `seed ${seed}\n${c.files[c.cluster]}`).toEqual([]);
      const ws = new Workspace(c.files, c.cluster);
      writeBack(ws);
      expect(ws.changes(), `seed ${seed}`).toEqual({});
    }
  }, 120_000);

  it('an edit and its inverse give back the original bytes; an edit keeps every unknown field', () => {
    for (const seed of SEEDS) {
      const c = generate(seed);
      const r = rng(seed * 7);
      const ws1 = new Workspace(c.files, c.cluster);
      const stack = r.pick(ws1.stacks());
      const addon = r.pick(stack.addons);
      // values change only where there are values (none → a file is not undone by empty values)
      const text = addon.values ? `${addon.values}extra: true\n` : undefined;
      const oldVersion = String(addon.fields.chart_version);
      ws1.updateMember(
        stack.name,
        'addon',
        addon.name,
        { chart_version: '9.9.9', name: `${addon.name}-x` },
        text,
      );
      const edited = { ...c.files, ...ws1.changes() } as Record<string, string>;
      // unknown fields everywhere are still there, with their values
      for (const [f, text] of Object.entries(c.files)) {
        if (!f.endsWith('.yaml')) continue;
        const before = JSON.stringify(parseDocument(text).toJS());
        for (const m of before.matchAll(/"(x-[\w-]+|future_field)":("[^"]*"|\d+|\{[^}]*\})/g))
          expect(JSON.stringify(parseDocument(edited[f]!).toJS()), `seed ${seed} ${f}`).toContain(m[0]);
      }
      const l = loadDefinition(new MemoryFileSource(edited), c.cluster);
      expect(errorsBut(l.diagnostics), `seed ${seed}`).toEqual([]);
      const ws2 = new Workspace(edited, c.cluster);
      ws2.updateMember(
        stack.name,
        'addon',
        `${addon.name}-x`,
        { chart_version: oldVersion, name: addon.name },
        text === undefined ? undefined : addon.values,
      );
      const back = { ...edited, ...ws2.changes() };
      expect(back, `seed ${seed}`).toEqual(c.files);
    }
  }, 120_000);
});

describe('the line merge', () => {
  it('matches a longest common subsequence', () => {
    expect(matchLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd'])).toEqual([0, -1, 2, 3]);
    expect(
      matchLines(['a', 'b'], ['b', 'a'])[0]! + matchLines(['a', 'b'], ['b', 'a'])[1]!,
    ).toBeGreaterThanOrEqual(-1);
  });

  it('takes the edited lines only where the edit changed them', () => {
    const original = 'a: [x]\nb: 1\nc: [y]\n';
    const before = 'a: [ x ]\nb: 1\nc: [ y ]\n';
    const after = 'a: [ x ]\nb: 2\nc: [ y ]\n';
    expect(mergeEdit(original, before, after)).toBe('a: [x]\nb: 2\nc: [y]\n');
  });
});
