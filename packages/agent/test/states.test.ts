import { describe, expect, it } from 'vitest';
import { driftSummary, fieldPath, statesMessage } from '../src/states.ts';

const drift = (ref: string, paths: string[], text = 'diff') => ({
  ref,
  missing: false,
  text,
  patch: paths.map((path) => ({ op: 'replace' as const, path, value: 1 })),
});

describe('member states', () => {
  it.each([
    ['/spec/replicas', 'spec.replicas'],
    ['/spec/template/spec/containers/0/image', 'spec.template.spec.containers.0.image'],
    ['/metadata/annotations/a.io~1b', 'metadata.annotations.a.io/b'],
  ])('field path of %s', (pointer, path) => {
    expect(fieldPath(pointer)).toBe(path);
  });

  it('summarises drift: refs, unique field paths, text cut short, never a Secret text', () => {
    const out = driftSummary([
      drift('Deployment/ns/web', ['/spec/replicas', '/spec/replicas'], 'x'.repeat(5000)),
      drift('Secret/ns/creds', ['/data/password'], '- password: c2VjcmV0'),
    ]);
    expect(out[0]).toMatchObject({ ref: 'Deployment/ns/web', missing: false, fields: ['spec.replicas'] });
    expect(out[0]?.text?.length).toBeLessThan(2100);
    expect(out[0]?.text).toMatch(/3000 more characters/);
    expect(out[1]).toEqual({ ref: 'Secret/ns/creds', missing: false, fields: ['data.password'] });
  });

  it('keeps a message small: at most 20 objects of 50 fields each', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      drift(
        `ConfigMap/ns/c${i}`,
        Array.from({ length: 80 }, (_, j) => `/data/k${j}`),
      ),
    );
    const out = driftSummary(many);
    expect(out).toHaveLength(20);
    expect(out[0]?.fields).toHaveLength(50);
  });

  it('validates the message for its subject', () => {
    const m = statesMessage('c1', 'check', [], new Date('2026-01-01T00:00:00Z'));
    expect(m).toEqual({
      cluster_id: 'c1',
      observed_at: '2026-01-01T00:00:00.000Z',
      scope: 'check',
      members: [],
    });
  });
});
