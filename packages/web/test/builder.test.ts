import { describe, expect, it } from 'vitest';
import type { Draft } from '../src/api/types.ts';
import { connectParents, draftAsStacks } from '../src/builder/draftGraph.ts';
import {
  applyCompletion,
  completionsAt,
  diffFromDefaults,
  keyPathAtLine,
  pathAtLine,
  scanValues,
} from '../src/builder/values.ts';

const chart = `# Default values
replicaCount: 1
image:
  # where the image comes from
  repository: ghcr.io/stefanprodan/podinfo
  tag: 6.14.1 # the app version
backends: []
extraArgs:
  - --level=info
  - --port=9898
ui:
  color: "#34577c"
  message: ""
config: |
  a: 1
  b: 2
service:
  enabled: true
`;

const schema = {
  type: 'object',
  properties: {
    replicaCount: { type: 'integer', description: 'how many pods' },
    ui: { $ref: '#/definitions/ui' },
    tolerations: { type: 'array', description: 'pod tolerations' },
  },
  definitions: {
    ui: {
      type: 'object',
      properties: { color: { type: 'string', enum: ['red', 'blue'] }, logo: { type: 'string' } },
    },
  },
};

describe('values: keys, comments, completion, differences', () => {
  it('reads keys with their paths, comments above and after, lists and block scalars as values', () => {
    const keys = scanValues(chart);
    expect(keys.map((k) => k.path)).toEqual([
      'replicaCount',
      'image',
      'image.repository',
      'image.tag',
      'backends',
      'extraArgs',
      'ui',
      'ui.color',
      'ui.message',
      'config',
      'service',
      'service.enabled',
    ]);
    const byPath = new Map(keys.map((k) => [k.path, k]));
    expect(byPath.get('image.repository')).toMatchObject({ comment: 'where the image comes from', line: 5 });
    expect(byPath.get('image.tag')).toMatchObject({ value: '6.14.1', comment: 'the app version' });
    expect(byPath.get('extraArgs')?.value).toBe('- --level=info\n  - --port=9898');
    expect(byPath.get('config')?.value).toContain('a: 1');
    expect(byPath.get('image')?.parent).toBe(true);
    expect(byPath.get('replicaCount')?.comment).toBe('Default values');
  });

  it('offers the keys of the mapping the cursor is in, from values.yaml and the schema ($ref followed)', () => {
    const defaults = scanValues(chart);
    const top = completionsAt('rep', 3, defaults, schema);
    expect(top.items.map((i) => i.key)).toEqual(['replicaCount']);
    expect(top.items[0]).toMatchObject({
      defaultValue: '1',
      schema: { type: 'integer', description: 'how many pods' },
    });
    const t = completionsAt('to', 2, defaults, schema);
    expect(t.items.map((i) => i.key)).toEqual(['tolerations']);
    const text = 'ui:\n  ';
    const inUi = completionsAt(text, text.length, defaults, schema);
    expect(inUi.parent).toBe('ui');
    expect(inUi.items.map((i) => i.key)).toEqual(['color', 'message', 'logo']);
    expect(inUi.items[0]!.schema.enum).toEqual(['red', 'blue']);
    // a key already set is not offered again
    const set = 'replicaCount: 2\nr';
    expect(completionsAt(set, set.length, defaults, schema).items).toEqual([]);
    // not at a key: nothing
    expect(completionsAt('replicaCount: 2', 15, defaults, schema).items).toEqual([]);
  });

  it('completes a key: a value key gets ": ", a mapping opens an indented line', () => {
    const defaults = scanValues(chart);
    const [item] = completionsAt('rep', 3, defaults, null).items;
    expect(applyCompletion('rep', 3, item!)).toEqual({ text: 'replicaCount: ', offset: 14 });
    const [img] = completionsAt('x: 1\nim', 7, defaults, null).items;
    expect(applyCompletion('x: 1\nim', 7, img!)).toEqual({ text: 'x: 1\nimage:\n  ', offset: 14 });
  });

  it('the key at the cursor (for the SOPS button), and the differences from the defaults', () => {
    const text = 'replicaCount: 2\nui:\n  message: hello\nextra: true\nimage:\n  tag: 6.14.1\n';
    expect(pathAtLine(text, text.indexOf('hello'))).toBe('ui.message');
    expect(pathAtLine(text, 0)).toBe('replicaCount');
    expect(diffFromDefaults(text, scanValues(chart))).toEqual([
      { path: 'replicaCount', change: 'changed', from: '1', to: '2' },
      { path: 'ui.message', change: 'changed', from: '""', to: 'hello' },
      { path: 'extra', change: 'added', to: 'true' },
    ]);
  });
});

// a chart with lists of maps in values.yaml and in values.schema.json (items.properties)
const listChart = `ingress:
  enabled: false
  hosts:
    # -- the host name
    - host: chart-example.local
      paths:
        - path: /
          pathType: ImplementationSpecific # Prefix, Exact or ImplementationSpecific
    - host: other.local
      # -- TLS for this host only
      tlsSecret: ""
env:
- name: LOG_LEVEL
  value: info
args:
  - --verbose
config: |
  - name: not-a-key
tolerations: []
`;
const listSchema = {
  type: 'object',
  properties: {
    ingress: {
      type: 'object',
      properties: {
        hosts: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              host: { type: 'string', description: 'the host the rule matches' },
              paths: { type: 'array', items: { $ref: '#/$defs/path' } },
            },
          },
        },
      },
    },
    tolerations: {
      anyOf: [
        {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              key: { type: 'string' },
              operator: { type: 'string', enum: ['Exists', 'Equal'] },
              effect: { type: 'string' },
            },
          },
        },
        { type: 'null' },
      ],
    },
  },
  $defs: {
    path: {
      type: 'object',
      properties: { path: { type: 'string' }, backend: { type: 'object', properties: { port: {} } } },
    },
  },
};

const at = (text: string) => text.indexOf('|');
const without = (text: string) => text.replace('|', '');
const offered = (text: string, schema: unknown = listSchema) =>
  completionsAt(without(text), at(text), scanValues(listChart), schema);

describe('values: keys of list items', () => {
  it('reads the keys of a list of maps in values.yaml as `path[].key`, merged over its items, comments kept', () => {
    const keys = scanValues(listChart);
    // lists stay whole values of their key
    expect(keys.map((k) => k.path)).toEqual([
      'ingress',
      'ingress.enabled',
      'ingress.hosts',
      'env',
      'args',
      'config',
      'tolerations',
    ]);
    const hosts = keys.find((k) => k.path === 'ingress.hosts')!;
    expect(hosts.value).toContain('- host: chart-example.local');
    expect(hosts.items?.map((k) => k.path)).toEqual([
      'ingress.hosts[].host',
      'ingress.hosts[].paths',
      'ingress.hosts[].tlsSecret',
    ]);
    expect(hosts.items?.[0]).toMatchObject({
      value: 'chart-example.local',
      comment: '-- the host name',
      line: 5,
    });
    expect(hosts.items?.[2]).toMatchObject({ value: '""', comment: '-- TLS for this host only', line: 11 });
    const paths = hosts.items![1]!;
    expect(paths.items?.map((k) => [k.path, k.value, k.comment])).toEqual([
      ['ingress.hosts[].paths[].path', '/', ''],
      [
        'ingress.hosts[].paths[].pathType',
        'ImplementationSpecific',
        'Prefix, Exact or ImplementationSpecific',
      ],
    ]);
    // an unindented list; a list of scalars and a block scalar have no item keys
    expect(keys.find((k) => k.path === 'env')?.items?.map((k) => k.path)).toEqual([
      'env[].name',
      'env[].value',
    ]);
    expect(keys.find((k) => k.path === 'args')?.items).toBeUndefined();
    expect(keys.find((k) => k.path === 'config')?.items).toBeUndefined();
  });

  it('offers the keys of the list item the cursor is in, from values.yaml and items.properties', () => {
    // on an item's next line
    const next = offered('ingress:\n  hosts:\n    - host: a.example\n      |');
    expect(next.parent).toBe('ingress.hosts[]');
    // `host` is set in this item: not offered again; the schema's `paths` and values.yaml's `tlsSecret`
    expect(next.items.map((i) => i.key)).toEqual(['paths', 'tlsSecret']);
    // a new item after `- `: every key of an item, with its docs
    const fresh = offered('ingress:\n  hosts:\n    - host: a.example\n    - |');
    expect(fresh.parent).toBe('ingress.hosts[]');
    expect(fresh.items.map((i) => i.key)).toEqual(['host', 'paths', 'tlsSecret']);
    expect(fresh.items[0]).toMatchObject({
      path: 'ingress.hosts[].host',
      defaultValue: 'chart-example.local',
      comment: '-- the host name',
      schema: { type: 'string', description: 'the host the rule matches' },
    });
    // what is typed filters
    expect(offered('ingress:\n  hosts:\n    - ho|').items.map((i) => i.key)).toEqual(['host']);
    // a list in a list item ($ref followed), and a key of that item's mapping
    const inner = offered('ingress:\n  hosts:\n    - host: a\n      paths:\n        - path: /\n          |');
    expect(inner.parent).toBe('ingress.hosts[].paths[]');
    expect(inner.items.map((i) => i.key)).toEqual(['pathType', 'backend']);
    const deeper = offered('ingress:\n  hosts:\n    - paths:\n        - backend:\n            |');
    expect(deeper.parent).toBe('ingress.hosts[].paths[].backend');
    expect(deeper.items.map((i) => i.key)).toEqual(['port']);
    // an unindented list from values.yaml alone; a list through anyOf from the schema alone
    expect(offered('env:\n- name: A\n  |', null).items.map((i) => i.key)).toEqual(['value']);
    const tol = offered('tolerations:\n  - key: a\n    |');
    expect(tol.items.map((i) => [i.key, i.schema.enum])).toEqual([
      ['operator', ['Exists', 'Equal']],
      ['effect', undefined],
    ]);
    // after the list ends the mapping's keys are offered again; a list of scalars offers nothing
    expect(offered('ingress:\n  hosts:\n    - host: a\n  |').parent).toBe('ingress');
    expect(offered('args:\n  - |').items).toEqual([]);
    // a block scalar's text is no key
    expect(offered('config: |\n  - name: x\n    |').items).toEqual([]);
    // keys of other items do not hide a key of this one
    expect(
      offered('ingress:\n  hosts:\n    - host: a\n      tlsSecret: s\n    - host: b\n      |').items.map(
        (i) => i.key,
      ),
    ).toEqual(['paths', 'tlsSecret']);
  });

  it('completes a list of maps by opening its first item, and an item key after `- `', () => {
    const defaults = scanValues(listChart);
    const text = 'ingress:\n  ho';
    const [hosts] = completionsAt(text, text.length, defaults, listSchema).items;
    expect(hosts).toMatchObject({ key: 'hosts', list: true, parent: false });
    const opened = applyCompletion(text, text.length, hosts!);
    expect(opened).toEqual({ text: 'ingress:\n  hosts:\n    - ', offset: 24 });
    // the item's keys are offered right there, and completing one keeps the `- `
    const first = completionsAt(opened.text, opened.offset, defaults, listSchema);
    expect(first.parent).toBe('ingress.hosts[]');
    const host = first.items.find((i) => i.key === 'host')!;
    expect(applyCompletion(opened.text, opened.offset, host)).toEqual({
      text: 'ingress:\n  hosts:\n    - host: ',
      offset: 30,
    });
    const paths = first.items.find((i) => i.key === 'paths')!;
    expect(paths.list).toBe(true);
    expect(applyCompletion(opened.text, opened.offset, paths).text).toBe(
      'ingress:\n  hosts:\n    - paths:\n        - ',
    );
    // a list from the schema only (anyOf with null)
    const [tol] = completionsAt('tol', 3, [], listSchema).items;
    expect(tol).toMatchObject({ key: 'tolerations', list: true });
  });

  it('names the key on the cursor line with its list items for the inline docs', () => {
    const text = 'ingress:\n  hosts:\n    - host: a\n      paths:\n        - path: /\n';
    expect(keyPathAtLine(text, text.indexOf('host:'))).toBe('ingress.hosts[].host');
    expect(keyPathAtLine(text, text.indexOf('path:'))).toBe('ingress.hosts[].paths[].path');
    expect(keyPathAtLine(text, 0)).toBe('ingress');
    // the SOPS button keeps to mapping keys
    expect(pathAtLine(text, text.indexOf('host:'))).toBeNull();
  });
});

const member = (
  kind: 'addon' | 'manifest',
  name: string,
  stack: string,
  fields: Record<string, unknown> = {},
) => ({
  kind,
  name,
  stack,
  file: 'clusters/a/cluster.yaml',
  fields,
  encrypted_paths: [],
});
const draft = {
  id: 'd1',
  changed_files: [],
  stacks: [
    {
      name: 'apps',
      fields: { deploy_wave: 2 },
      addons: [
        member('addon', 'web', 'apps', {
          chart_name: 'podinfo',
          chart_version: '6.14.1',
          parents: [{ addon: 'db' }],
        }),
      ],
      manifests: [],
    },
    {
      name: 'base',
      fields: {},
      addons: [member('addon', 'db', 'base', { parents: [{ manifest: 'ns' }] })],
      manifests: [member('manifest', 'ns', 'base')],
    },
  ],
} as unknown as Draft;

describe('the draft as a graph', () => {
  it('waves in deploy order (no wave first), parents as ids', () => {
    const v = draftAsStacks(draft);
    expect(v.waves.map((w) => w.wave)).toEqual([null, 2]);
    expect(v.member_count).toBe(3);
    const web = v.waves[1]!.stacks[0]!.members[0]!;
    expect(web).toMatchObject({
      id: 'addon/web',
      parents: ['addon/db'],
      chart: 'podinfo',
      version: '6.14.1',
      state: 'Draft',
    });
    // a member whose values file the draft adds or edits says so
    const withFile = structuredClone(draft);
    withFile.stacks[0]!.addons[0]!.content_file = 'clusters/a/values/web.yaml';
    const state = (change: string) =>
      draftAsStacks(withFile, new Map([['clusters/a/values/web.yaml', change]])).waves[1]!.stacks[0]!
        .members[0]!.state;
    expect(state('added')).toBe('New');
    expect(state('modified')).toBe('Edited');
  });

  it('a connection adds a parent; none for a parent already there, itself, or a cycle', () => {
    expect(connectParents(draft, 'manifest/ns', 'addon/web')).toEqual([{ addon: 'db' }, { manifest: 'ns' }]);
    expect(connectParents(draft, 'addon/db', 'addon/web')).toBeNull();
    expect(connectParents(draft, 'addon/web', 'addon/web')).toBeNull();
    expect(connectParents(draft, 'addon/web', 'manifest/ns')).toBeNull();
  });
});
