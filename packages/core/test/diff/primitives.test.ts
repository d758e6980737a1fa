import { describe, expect, it } from 'vitest';
import {
  formatPointer,
  JsonPointerError,
  normalizeForDiff,
  ownedFieldPaths,
  parsePointer,
  parseQuantity,
  quantitiesEqual,
  removePaths,
  resolveFieldPath,
  scalarsEqual,
} from '../../src/diff/index.ts';
import { desiredDeployment, liveDeployment } from './fixtures.ts';

describe('JSON pointers', () => {
  it.each([
    ['', []],
    ['/spec/replicas', ['spec', 'replicas']],
    ['/metadata/annotations/example.com~1owner', ['metadata', 'annotations', 'example.com/owner']],
    ['/a~0b', ['a~b']],
    ['/a~01', ['a~1']],
  ])('parse %s', (p, tokens) => {
    expect(parsePointer(p)).toEqual(tokens);
    expect(formatPointer(tokens)).toBe(p);
  });

  it.each(['spec/replicas', '/a~2', '/a~'])('rejects %s', (p) => {
    expect(() => parsePointer(p)).toThrow(JsonPointerError);
  });

  it('removes subtrees, array elements by original index', () => {
    expect(removePaths({ a: [0, 1, 2, 3], b: { c: 1, d: 2 } }, new Set(['/a/1', '/a/3', '/b/c']))).toEqual({
      a: [0, 2],
      b: { d: 2 },
    });
  });
});

describe('quantities', () => {
  it.each([
    ['1000m', '1', true],
    ['0.5', '500m', true],
    ['512Mi', '536870912', true],
    ['1Gi', '1024Mi', true],
    ['1G', '1000M', true],
    ['1e3', '1k', true],
    [2, '2', true],
    ['1G', '1Gi', false],
    ['100m', '0.2', false],
  ])('%s = %s → %s', (a, b, eq) => expect(quantitiesEqual(a, b)).toBe(eq));

  it('non-quantities parse to undefined', () => {
    expect(parseQuantity('abc')).toBeUndefined();
    expect(parseQuantity('1Xi')).toBeUndefined();
  });

  it('quantity equality only applies in resource context', () => {
    expect(scalarsEqual('1000m', '1', ['spec', 'containers', 0, 'resources', 'limits', 'cpu'])).toBe(true);
    expect(scalarsEqual('1000m', '1', ['data', 'LIMIT'])).toBe(false);
    expect(scalarsEqual(8080, '8080', ['spec', 'ports', 0, 'targetPort'])).toBe(true);
  });
});

describe('normalizeForDiff', () => {
  it('strips server metadata, status and Helm-injected metadata, keeping helm.sh/chart when desired has it', () => {
    const n = normalizeForDiff(liveDeployment(), { desired: desiredDeployment() });
    expect(n.status).toBeUndefined();
    expect(n.metadata).toEqual({
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web', 'helm.sh/chart': 'web-1.2.0' },
    });
  });

  it('drops helm.sh/chart when the desired object does not declare it', () => {
    const desired = desiredDeployment();
    delete desired.metadata?.labels?.['helm.sh/chart'];
    expect(normalizeForDiff(liveDeployment(), { desired }).metadata?.labels).toEqual({ app: 'web' });
  });

  it('does not modify its input', () => {
    const live = liveDeployment();
    normalizeForDiff(live);
    expect(live).toEqual(liveDeployment());
  });
});

describe('managed fields', () => {
  const entries = liveDeployment().metadata?.managedFields as never;

  it('lists leaf fields per manager, leaving out list-element keys', () => {
    const helm = ownedFieldPaths(entries, ['helm']).map((steps) =>
      steps.map((s) => (s.kind === 'field' ? s.name : s.kind)),
    );
    expect(helm).toEqual([
      ['metadata', 'labels', 'app'],
      ['spec', 'replicas'],
      ['spec', 'template', 'spec', 'containers', 'key', 'image'],
      ['spec', 'template', 'spec', 'containers', 'key', 'args'],
    ]);
  });

  it('resolves keyed steps against each document, wherever the element sits', () => {
    const [, , image] = ownedFieldPaths(entries, ['helm']);
    const doc = {
      spec: { template: { spec: { containers: [{ name: 'other' }, { name: 'web', image: 'x' }] } } },
    };
    expect(resolveFieldPath(doc, image ?? [])).toEqual([
      'spec',
      'template',
      'spec',
      'containers',
      1,
      'image',
    ]);
    expect(resolveFieldPath({ spec: {} }, image ?? [])).toBeUndefined();
  });

  it('resolves port keys when the manifest leaves the protocol out', () => {
    const steps = ownedFieldPaths(
      [
        {
          manager: 'm',
          fieldsV1: { 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { 'f:name': {} } } },
        },
      ],
      ['m'],
    )[0];
    expect(resolveFieldPath({ ports: [{ containerPort: 80, name: 'http' }] }, steps ?? [])).toEqual([
      'ports',
      0,
      'name',
    ]);
  });

  it('resolves set values (v:)', () => {
    const steps = ownedFieldPaths(
      [{ manager: 'm', fieldsV1: { 'f:metadata': { 'f:finalizers': { 'v:"example.com/cleanup"': {} } } } }],
      ['m'],
    )[0];
    expect(resolveFieldPath({ metadata: { finalizers: ['a', 'example.com/cleanup'] } }, steps ?? [])).toEqual(
      ['metadata', 'finalizers', 1],
    );
  });
});
