import type { KubeObject, StoredRelease } from '@mooring/kube';
import { describe, expect, it } from 'vitest';
import {
  decideConflict,
  fieldConflicts,
  helmApplyObject,
  mayForce,
  planHeal,
  yamlAmbiguous,
} from '../src/sweep/healPlan.ts';
import type { ObjectDrift } from '../src/sweep/types.ts';

const release = (o: Partial<StoredRelease> = {}): StoredRelease => ({
  name: 'web',
  namespace: 'apps',
  version: 3,
  status: 'deployed',
  manifest: '',
  config: {},
  chart: { name: 'podinfo', version: '6.14.1' },
  hooks: [],
  labels: {},
  applyMethod: 'ssa',
  ...o,
});

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' } },
  spec: { replicas: 1 },
};
const role: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'web' },
};
const drift = (ref: string, missing = false): ObjectDrift => ({ ref, missing, text: '', patch: [] });
const namespaced = (_v: string, k: string) => k !== 'ClusterRole';

describe('planHeal: which path heals a drift', () => {
  const cases: {
    name: string;
    release: StoredRelease | undefined;
    behindGit?: boolean;
    drift: ObjectDrift[];
    path: 'apply' | 'upgrade';
    reason?: RegExp;
  }[] = [
    {
      name: 'a scaled Deployment of a deployed ssa release',
      release: release(),
      drift: [drift('Deployment/apps/web')],
      path: 'apply',
    },
    {
      name: 'a deleted object is applied too (server-side apply creates it)',
      release: release(),
      drift: [drift('ClusterRole/web', true)],
      path: 'apply',
    },
    { name: 'no release', release: undefined, drift: [], path: 'upgrade', reason: /no release/ },
    {
      name: 'a failed release',
      release: release({ status: 'failed' }),
      drift: [drift('Deployment/apps/web')],
      path: 'upgrade',
      reason: /failed, not deployed/,
    },
    {
      name: 'a release behind Git',
      release: release(),
      behindGit: true,
      drift: [drift('Deployment/apps/web')],
      path: 'upgrade',
      reason: /behind Git/,
    },
    {
      name: 'a release applied client-side',
      release: release({ applyMethod: 'csa' }),
      drift: [drift('Deployment/apps/web')],
      path: 'upgrade',
      reason: /client-side \(apply_method csa\)/,
    },
    {
      name: 'a release written before Helm 4',
      release: release({ applyMethod: undefined }),
      drift: [drift('Deployment/apps/web')],
      path: 'upgrade',
      reason: /apply_method unset/,
    },
    {
      name: 'a drifted object the manifest does not hold',
      release: release(),
      drift: [drift('Service/apps/other')],
      path: 'upgrade',
      reason: /Service\/apps\/other is not in the stored manifest/,
    },
    {
      name: 'nothing drifted',
      release: release(),
      drift: [],
      path: 'upgrade',
      reason: /no drifted object/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = planHeal({
        release: c.release,
        behindGit: c.behindGit ?? false,
        drift: c.drift,
        desired: [deployment, role],
        namespaced,
      });
      expect(p.path).toBe(c.path);
      if (p.path === 'upgrade') expect(p.reason).toMatch(c.reason!);
    });
  }

  it('applies only the drifted objects, with Helm ownership metadata', () => {
    const p = planHeal({
      release: release(),
      behindGit: false,
      drift: [drift('Deployment/apps/web')],
      desired: [deployment, role],
      namespaced,
    });
    expect(p).toEqual({
      path: 'apply',
      objects: [
        {
          ...deployment,
          metadata: {
            name: 'web',
            namespace: 'apps',
            labels: { app: 'web', 'app.kubernetes.io/managed-by': 'Helm' },
            annotations: { 'meta.helm.sh/release-name': 'web', 'meta.helm.sh/release-namespace': 'apps' },
          },
        },
      ],
    });
    // the desired object itself is not changed
    expect(deployment.metadata.annotations).toBeUndefined();
  });
});

describe('helmApplyObject', () => {
  it('puts namespaced objects without a namespace in the release namespace and keeps cluster-scoped ones without', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(helmApplyObject(cm, { name: 'r', namespace: 'ns' }, true).metadata.namespace).toBe('ns');
    const cr: KubeObject = { ...role, metadata: { name: 'web', namespace: 'ns' } };
    expect(helmApplyObject(cr, { name: 'r', namespace: 'ns' }, false).metadata.namespace).toBeUndefined();
  });
});

describe('yamlAmbiguous', () => {
  it('names objects whose scalars YAML 1.1 (Helm) reads differently from YAML 1.2', () => {
    const manifest = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: "x"',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: octal\nspec:\n  template:\n    spec:\n      volumes:\n        - name: v\n          configMap:\n            name: c\n            defaultMode: 0644',
    ].join('\n---\n');
    expect(yamlAmbiguous(manifest, new Set(['ConfigMap/ns/plain', 'Deployment/ns/octal']))).toEqual([
      'Deployment/octal',
    ]);
    expect(yamlAmbiguous(manifest, new Set(['ConfigMap/ns/plain']))).toEqual([]);
  });
});

describe('conflicts', () => {
  const body = {
    kind: 'Status',
    code: 409,
    reason: 'Conflict',
    details: {
      causes: [
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "kubectl" with subresource "scale" using apps/v1',
          field: '.spec.replicas',
        },
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "other-tool" using apps/v1',
          field: '.spec.template.spec.containers[name="web"].image',
        },
      ],
    },
  };
  it('reads the conflicting managers from the 409 answer', () => {
    expect(fieldConflicts(body)).toEqual([
      { manager: 'kubectl', subresource: 'scale', field: '.spec.replicas' },
      { manager: 'other-tool', field: '.spec.template.spec.containers[name="web"].image' },
    ]);
    expect(fieldConflicts({ details: { causes: [{ reason: 'FieldValueInvalid' }] } })).toEqual([]);
    expect(fieldConflicts('not json')).toEqual([]);
  });

  it('takes back fields changed imperatively (Update operations)', () => {
    expect(
      decideConflict(
        [{ manager: 'kubectl', subresource: 'scale', field: '.spec.replicas' }],
        [
          { manager: 'helm', operation: 'Apply' },
          { manager: 'kubectl', operation: 'Update', subresource: 'scale' },
        ],
      ),
    ).toEqual({ force: true });
  });

  it('leaves a field another manager server-side applies to helm upgrade', () => {
    const d = decideConflict(fieldConflicts(body), [
      { manager: 'helm', operation: 'Apply' },
      { manager: 'kubectl', operation: 'Update', subresource: 'scale' },
      { manager: 'other-tool', operation: 'Apply' },
    ]);
    expect(d).toEqual({
      force: false,
      reason: expect.stringMatching(/declared by field manager "other-tool"/),
    });
  });

  it('does not force a conflict it cannot read', () => {
    expect(decideConflict([], [])).toMatchObject({ force: false });
  });
});

describe('mayForce', () => {
  it('forces at once when only Helm and imperative edits manage the object', () => {
    expect(
      mayForce([
        { manager: 'helm', operation: 'Apply' },
        { manager: 'kubectl', operation: 'Update', subresource: 'scale' },
        { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' },
        { manager: 'some-controller', operation: 'Apply', subresource: 'status' },
      ]),
    ).toBe(true);
  });
  it('applies without force when another manager server-side applies the object, or the managers are unknown', () => {
    expect(
      mayForce([
        { manager: 'helm', operation: 'Apply' },
        { manager: 'other-tool', operation: 'Apply' },
      ]),
    ).toBe(false);
    expect(mayForce(undefined)).toBe(false);
  });
});
