import { describe, expect, it } from 'vitest';
import type { Draft } from '../src/api/types.ts';
import { connectParents, draftAsStacks } from '../src/builder/draftGraph.ts';
import {
  applyCompletion,
  completionsAt,
  diffFromDefaults,
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
