import { describe, expect, it } from 'vitest';
import { JqError, jqPaths, jqValues } from '../../src/diff/index.ts';

const doc = {
  metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } },
  data: { 'ca.crt': 'PEM' },
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }] },
          { name: 'istio-proxy', image: 'proxy:1' },
        ],
      },
    },
  },
  webhooks: [
    { name: 'w1', clientConfig: { caBundle: 'abc' } },
    { name: 'w2', clientConfig: {} },
  ],
};

const C = ['spec', 'template', 'spec', 'containers'];

const CASES: [string, string, (string | number)[][]][] = [
  ['dotted field', '.spec.template.spec', [['spec', 'template', 'spec']]],
  [
    'quoted field',
    '.metadata.annotations."kubectl.kubernetes.io/restartedAt"',
    [['metadata', 'annotations', 'kubectl.kubernetes.io/restartedAt']],
  ],
  ['bracket string', '.data["ca.crt"]', [['data', 'ca.crt']]],
  ['index', '.spec.template.spec.containers[1].image', [[...C, 1, 'image']]],
  ['negative index', '.spec.template.spec.containers[-1]', [[...C, 1]]],
  [
    'iterate',
    '.spec.template.spec.containers[].name',
    [
      [...C, 0, 'name'],
      [...C, 1, 'name'],
    ],
  ],
  [
    'select by name then field',
    '.spec.template.spec.containers[] | select(.name == "istio-proxy") | .image',
    [[...C, 1, 'image']],
  ],
  ['select with !=', '.spec.template.spec.containers[] | select(.name != "app")', [[...C, 1]]],
  ['select x != null', '.spec.template.spec.containers[] | select(.env != null) | .env', [[...C, 0, 'env']]],
  ['and', '.spec.template.spec.containers[] | select(.name == "app" and .image == "app:1")', [[...C, 0]]],
  [
    'or',
    '.spec.template.spec.containers[] | select(.name == "app" or .name == "istio-proxy") | .name',
    [
      [...C, 0, 'name'],
      [...C, 1, 'name'],
    ],
  ],
  ['startswith', '.spec.template.spec.containers[] | select(.name | startswith("istio"))', [[...C, 1]]],
  ['test regex', '.spec.template.spec.containers[] | select(.name | test("^ist"))', [[...C, 1]]],
  ['has / not', '.spec.template.spec.containers[] | select(has("env") | not)', [[...C, 1]]],
  ['optional iterate', '.webhooks[]?.clientConfig.caBundle', [['webhooks', 0, 'clientConfig', 'caBundle']]],
  [
    'recursive descent',
    '.. | select(.caBundle? != null) | .caBundle',
    [['webhooks', 0, 'clientConfig', 'caBundle']],
  ],
  ['comma', '.data, .metadata', [['data'], ['metadata']]],
  [
    'iterating a missing list matches nothing',
    '.spec.template.spec.initContainers[] | select(.name == "x")',
    [],
  ],
  ['a missing field matches nothing', '.spec.nothing.here', []],
];

describe('jqPaths', () => {
  it.each(CASES)('%s: %s', (_name, expr, expected) => {
    expect(jqPaths(expr, doc)).toEqual(expected);
  });

  it.each([
    ['unsupported function', '.a | to_entries'],
    ['unterminated string', '.a["x]'],
    ['dangling pipe', '.a |'],
    ['indexing a string', '.data."ca.crt".x'],
  ])('%s is a JqError', (_name, expr) => {
    expect(() => jqPaths(expr, doc)).toThrow(JqError);
  });
});

describe('jqValues', () => {
  it('evaluates values, comparisons and literals', () => {
    expect(jqValues('.spec.template.spec.containers | length', doc)).toEqual([2]);
    expect(jqValues('.webhooks[].name', doc)).toEqual(['w1', 'w2']);
    expect(jqValues('1 < 2, "a" == "b", null', doc)).toEqual([true, false, null]);
  });
});
