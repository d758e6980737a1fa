// Unit tests of the definition module's building blocks and of behaviours the table does not cover.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  canonicalJson,
  contentHashes,
  cronError,
  DefinitionValidationError,
  editDistance,
  formatDiagnostic,
  isSecretKey,
  isValidTimeZone,
  loadDefinition,
  loadDefinitionOrThrow,
  MemoryFileSource,
  memberContentHash,
  normalizeRepoPath,
  parseDuration,
  sha256Hex,
  substituteVariables,
  suggest,
} from '../../src/definition/index.ts';
import { addon, addons, cluster, manifest, manifests, stack } from './cases.ts';

const load = (files: Record<string, string>) => loadDefinition(new MemoryFileSource(files), 'c.yaml');

describe('suggest', () => {
  it.each([
    ['chart_verison', 'chart_version'],
    ['chartVersion', 'chart_version'],
    ['registy_url', 'registry_url'],
    ['namespce', 'namespace'],
  ])('%s → %s', (word, want) => {
    expect(suggest(word, ['name', 'chart_name', 'chart_version', 'namespace', 'registry_url'])).toBe(want);
  });
  it('suggests nothing for unrelated words', () => {
    expect(suggest('foo', ['chart_version', 'namespace'])).toBeUndefined();
  });
  it('counts a transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('cron and time zones', () => {
  it.each([
    '0 22 * * *',
    '*/5 * * * *',
    '0 0 1 JAN *',
    '0 9 * * MON-FRI',
    '0 0 L * *',
    '0 0 * * 5#2',
    '@daily',
  ])('accepts %s', (e) => expect(cronError(e)).toBeUndefined());
  it.each([
    '',
    '60 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * * 13 *',
    '* * * * 8',
    '*/0 * * * *',
    '5-1 * * * *',
    '@sometimes',
    'a b c d e',
    '30 0 22 * * *',
  ])('rejects %j', (e) => expect(cronError(e)).toBeTypeOf('string'));
  it('knows IANA zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('sha256 and canonical JSON', () => {
  it.each(['', 'abc', 'x'.repeat(1000), 'ünïcødé ✓'])('matches node:crypto for %#', (s) => {
    expect(sha256Hex(s)).toBe(createHash('sha256').update(s).digest('hex'));
  });
  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('small helpers', () => {
  it('normalises repository paths', () => {
    expect(normalizeRepoPath('./a//b/../c/')).toBe('a/c');
    expect(() => normalizeRepoPath('../x')).toThrow();
    expect(() => normalizeRepoPath('/etc/passwd')).toThrow();
  });
  it('parses durations', () => {
    expect(parseDuration('1h30m')).toEqual({ text: '1h30m', seconds: 5400 });
    expect(parseDuration('500ms')).toEqual({ text: '500ms', seconds: 0.5 });
    expect(parseDuration('30')).toBeUndefined();
  });
  it('substitutes both variable forms and lists undefined ones', () => {
    const r = substituteVariables('a=${{ ankra.x }} b=${{vars.x}} c=${{ vars.y }} d=${{ github.sha }}', {
      x: '1',
    });
    expect(r.text).toBe('a=1 b=1 c=${{ vars.y }} d=${{ github.sha }}');
    expect(r.undefinedVariables.map((u) => u.name)).toEqual(['y']);
  });
  it('recognises secret-looking keys', () => {
    for (const k of [
      'password',
      'dbPassword',
      'api_key',
      'apiKey',
      'client-secret',
      'private_key',
      'token',
      'authToken',
    ])
      expect(isSecretKey(k)).toBe(true);
    for (const k of ['existingSecret', 'secretName', 'tokenFile', 'username', 'passwordKey'])
      expect(isSecretKey(k)).toBe(false);
  });
  it('lists files of a folder recursively and sorted', () => {
    const src = new MemoryFileSource({ 'a/z.yaml': '', 'a/b/c.yml': '', 'ab/x.yaml': '' });
    expect(src.listFiles('a')).toEqual(['a/b/c.yml', 'a/z.yaml']);
    expect(src.exists('a/b')).toBe(true);
    expect(src.exists('a/q')).toBe(false);
  });
});

describe('loading', () => {
  it('applies defaults and normalises engines', () => {
    const r = load({ 'c.yaml': cluster([stack('s', addons(addon({}, 'settings:\n  engine: argo_cd')))]) });
    const a = r.definition!.stacks[0]!.addons[0]!;
    expect(a.settings).toEqual({
      engine: 'argocd',
      engineSet: true,
      syncPolicy: { automated: true, selfHeal: true, autoPrune: false, syncOptions: [] },
      retryPolicy: {
        limit: 5,
        backoffDuration: { text: '5s', seconds: 5 },
        backoffFactor: 2,
        backoffMax: { text: '3m', seconds: 180 },
      },
      strictHealthCheck: false,
      revisionHistoryLimit: 10,
      ignoreDifferences: [],
    });
    expect(a.jobConfiguration.readJobTimeout.seconds).toBe(300);
    expect(a.values).toEqual({ text: '', parsed: {} });
  });

  it('reports every error at once', () => {
    const r = load({
      'c.yaml': cluster([
        stack(
          's',
          addons(
            addon({ chart_version: '1.20', namespace: 'Bad_NS', '«x': null }),
            addon({ name: 'b', chart_name: null }, 'parents: [{ addon: nope }]'),
          ),
        ),
      ]),
    });
    expect(r.definition).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual([
      'unquoted-chart-version',
      'invalid-namespace',
      'missing-field',
      'missing-parent',
    ]);
  });

  it('keeps a quoted or dotted chart_version as a string', () => {
    const r = load({ 'c.yaml': cluster([stack('s', addons(addon({ chart_version: '1.2.3' })))]) });
    expect(r.definition!.stacks[0]!.addons[0]!.chart.version).toBe('1.2.3');
  });

  it('resolves a registry_name declared in helm_registries', () => {
    const r = load({
      'c.yaml': cluster(
        [stack('s', addons(addon({ registry_url: null })))],
        '  helm_registries:\n    - name: r\n      url: oci://reg.example.com/charts\n      credential_name: pull\n',
      ),
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.definition!.stacks[0]!.addons[0]!.chart.registry).toEqual({
      name: 'r',
      url: 'oci://reg.example.com/charts',
      oci: true,
      credentialName: 'pull',
    });
  });

  it('does not warn about encrypted values, covered paths or references', () => {
    const r = load({
      'c.yaml': cluster([
        stack(
          's',
          addons(
            addon(
              {},
              [
                'encrypted_paths: [auth.password, .dockerconfigjson]',
                'configuration:',
                '  values: |',
                '    auth:',
                '      password: hunter2',
                '      token: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]',
                '      existingSecret: my-secret',
                '      apiKey: "{{ .Values.global.key }}"',
                '      clientSecret: ""',
              ].join('\n'),
            ),
          ),
        ),
      ]),
    });
    expect(r.diagnostics).toEqual([]);
  });

  it('accepts a parent in a stack of an earlier wave', () => {
    const r = load({
      'c.yaml': cluster([
        stack('one', `deploy_wave: 0\n${addons(addon())}`),
        stack('two', `deploy_wave: 1\n${addons(addon({ name: 'b' }, 'parents: [{ addon: a }]'))}`),
      ]),
    });
    expect(r.diagnostics).toEqual([]);
  });

  it('throws a typed error with the diagnostics', () => {
    const src = new MemoryFileSource({ 'c.yaml': 'kind: Nope\n' });
    expect(() => loadDefinitionOrThrow(src, 'c.yaml')).toThrow(DefinitionValidationError);
    try {
      loadDefinitionOrThrow(src, 'c.yaml');
    } catch (e) {
      expect((e as DefinitionValidationError).diagnostics.length).toBeGreaterThan(1);
    }
  });

  it('reports a missing main file', () => {
    const r = loadDefinition(new MemoryFileSource({}), 'nope.yaml');
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'nope.yaml:1:1: error: the cluster definition "nope.yaml" does not exist',
    ]);
  });
});

describe('plan', () => {
  const def = load({
    'c.yaml': cluster([
      stack('late', addons(addon({ name: 'x' }))),
      stack('w1', `deploy_wave: 1\n${addons(addon({ name: 'y' }))}`),
      stack(
        'w0',
        `deploy_wave: 0\n${manifests(manifest('ns'))}\n${addons(
          addon({ name: 'a' }, 'parents: [{ manifest: ns }]'),
          addon({ name: 'b' }, 'parents: [{ manifest: ns }]'),
          addon({ name: 'c' }, 'parents: [{ addon: a }, { addon: b }]'),
        )}`,
      ),
      stack('w1b', `deploy_wave: 1\n${addons(addon({ name: 'z' }))}`),
    ]),
  }).definition!;
  const plan = buildPlan(def);

  it('orders waves ascending and lists stacks without a wave first (they start at once)', () => {
    expect(plan.waves.map((w) => [w.wave, w.stacks.map((s) => s.name)])).toEqual([
      [null, ['late']],
      [0, ['w0']],
      [1, ['w1', 'w1b']],
    ]);
    expect(plan.memberCount).toBe(7);
  });

  it('layers a stack by parents', () => {
    const w0 = plan.waves[1]!.stacks[0]!;
    expect(w0.layers.map((l) => l.members.map((m) => m.id))).toEqual([
      ['manifest/ns'],
      ['addon/a', 'addon/b'],
      ['addon/c'],
    ]);
    expect(w0.layers[2]!.members[0]!.parents).toEqual(['addon/a', 'addon/b']);
  });

  it('tears down in reverse', () => {
    expect(plan.teardown.map((w) => w.wave)).toEqual([1, 0, null]);
    const w0 = plan.teardown[1]!.stacks[0]!;
    expect(w0.layers.map((l) => l.members.map((m) => m.id))).toEqual([
      ['addon/c'],
      ['addon/a', 'addon/b'],
      ['manifest/ns'],
    ]);
  });

  it('hashes content, not position', () => {
    const a1 = load({
      'c.yaml': cluster([stack('s', addons(addon({}, 'configuration:\n  values: "x: 1"')))]),
    }).definition!;
    const a2 = load({
      'c.yaml': cluster([
        stack('other', `description: moved\n${addons(addon({}, 'configuration:\n  values: |\n    x: 1\n'))}`),
      ]),
    }).definition!;
    const a3 = load({
      'c.yaml': cluster([stack('s', addons(addon({}, 'configuration:\n  values: "x: 2"')))]),
    }).definition!;
    const h = (d: typeof a1) => memberContentHash(d.stacks[0]!.addons[0]!);
    expect(h(a1)).toMatch(/^[0-9a-f]{64}$/);
    expect(h(a2)).toBe(h(a1));
    expect(h(a3)).not.toBe(h(a1));
  });
});

describe('generator (bench input)', () => {
  it('generates a valid definition of the requested size', async () => {
    const { generateDefinition } = await import('./generate.ts');
    const gen = generateDefinition({ files: 10, perFile: 4 });
    const r = loadDefinition(new MemoryFileSource(gen.files), gen.main);
    expect(r.diagnostics).toEqual([]);
    expect(gen.members).toBe(40);
    expect(r.definition!.stacks.reduce((n, s) => n + s.manifests.length + s.addons.length, 0)).toBe(40);
    expect(buildPlan(r.definition!).memberCount).toBe(40);
  });
});

describe('values_files', () => {
  const withFiles = (conf: string) =>
    load({
      'c.yaml': cluster([stack('s', addons(addon({}, `configuration:\n${conf}`)))]),
      'shared/base.yaml': 'replicaCount: 2\nui:\n  message: base\n',
      'shared/list.yaml': '- not\n- a map\n',
    });
  it('layers values files from other paths under the add-on’s values, each read and hashed', () => {
    const r = withFiles('  values_files: [shared/base.yaml]\n  values: |\n    ui:\n      color: red\n');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const v = r.definition!.stacks[0]!.addons[0]!.values;
    expect(v.layers).toEqual([
      {
        file: 'shared/base.yaml',
        text: 'replicaCount: 2\nui:\n  message: base\n',
        parsed: { replicaCount: 2, ui: { message: 'base' } },
      },
    ]);
    expect(v.parsed).toEqual({ ui: { color: 'red' } });
    const plain = withFiles('  values: |\n    ui:\n      color: red\n');
    expect(contentHashes(buildPlan(r.definition!))).not.toEqual(contentHashes(buildPlan(plain.definition!)));
  });
  it('names a missing file, a file that is not a mapping, and a value that is not a list', () => {
    const r = withFiles('  values_files: [shared/missing.yaml, shared/list.yaml]\n');
    const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.path, d.code]);
    expect(errors).toEqual([
      [expect.stringMatching(/configuration\.values_files\[0\]$/), 'file-not-found'],
      [expect.stringMatching(/configuration\.values_files\[1\]$/), 'values-not-mapping'],
    ]);
    const wrong = withFiles('  values_files: shared/base.yaml\n');
    expect(wrong.diagnostics.some((d) => d.path.endsWith('values_files') && d.severity === 'error')).toBe(
      true,
    );
  });
});
