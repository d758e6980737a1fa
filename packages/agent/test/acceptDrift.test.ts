import { describe, expect, it } from 'vitest';
import { acceptDrift, fieldManagers, valuesPathsOf } from '../src/acceptDrift.ts';

const desired = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
};
const live = {
  ...desired,
  metadata: {
    ...desired.metadata,
    managedFields: [
      {
        manager: 'helm',
        operation: 'Apply',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:template': {} } },
      },
      {
        manager: 'kubectl',
        operation: 'Update',
        subresource: 'scale',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ],
  },
  spec: { ...desired.spec, replicas: 4 },
};

describe('accept drift', () => {
  it('finds the values key holding a Git value only when exactly one does', () => {
    expect(valuesPathsOf({ replicas: 2, image: { tag: '1.27' } }, 2)).toEqual(['replicas']);
    expect(valuesPathsOf({ a: 2, b: { c: 2 } }, 2)).toEqual(['a', 'b.c']);
  });

  it('names the field manager that owns the drifted field', () => {
    expect(fieldManagers(live, '/spec/replicas')).toEqual(['kubectl']);
  });

  it('turns a hand-scaled Deployment into a values patch naming who scaled it', () => {
    const r = acceptDrift(
      {
        values: { text: 'replicas: 2\n', parsed: { replicas: 2 }, file: 'values/web.yaml' },
        settings: { ignoreDifferences: [] } as never,
      },
      [{ desired, live }],
      'clusters/prod/cluster.yaml',
    );
    expect(r.changes).toEqual([
      {
        object: 'Deployment/ns/web',
        field: 'spec.replicas',
        git: 2,
        cluster: 4,
        managers: ['kubectl'],
        values_path: 'replicas',
      },
    ]);
    expect(r.values).toEqual({ replicas: 4 });
    expect(r.file).toBe('values/web.yaml');
    expect(r.patch).toBe('--- a/values/web.yaml\n+++ b/values/web.yaml\n-replicas: 2\n+replicas: 4\n');
  });
});
