import type { K8sObject } from '@mooring/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  acceptDrift,
  acceptManifestDrift,
  fieldManagers,
  gitPathOf,
  unifiedDiff,
  valuesPathsOf,
} from '../src/acceptDrift.ts';

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

describe('accept drift for a manifest', () => {
  const text = `# the web tier
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: web
data:
  mode: fast # tuned
  retired: "yes"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
        - name: sidecar
          image: busybox:1.36
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: web
stringData:
  password: git-secret-value
`;
  const parsed = text.split('---\n').map((d) => parse(d)) as K8sObject[];
  const [cm, deploy, secret] = parsed as [K8sObject, K8sObject, K8sObject];
  const mf = (manager: string, subresource: string | undefined, fields: object) => ({
    manager,
    operation: 'Update',
    ...(subresource ? { subresource } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
  });
  const liveCm = {
    ...cm,
    metadata: {
      ...cm.metadata,
      managedFields: [mf('kubectl-edit', undefined, { 'f:data': { 'f:mode': {}, 'f:extra': {} } })],
    },
    data: { mode: 'slow', extra: 'added' },
  };
  const liveDeploy = {
    ...deploy,
    metadata: {
      ...deploy.metadata,
      managedFields: [
        mf('kubectl', 'scale', { 'f:spec': { 'f:replicas': {} } }),
        mf('kubectl-set', undefined, {
          'f:spec': {
            'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } },
          },
        }),
      ],
    },
    spec: {
      replicas: 5,
      template: {
        spec: {
          // the cluster lists the containers in another order
          containers: [
            { name: 'sidecar', image: 'busybox:1.36' },
            { name: 'web', image: 'nginx:1.28' },
          ],
        },
      },
    },
  };
  const liveSecret = {
    ...secret,
    data: { password: Buffer.from('cluster-secret-value').toString('base64') },
  };
  delete (liveSecret as { stringData?: unknown }).stringData;

  it('patches the file the manifest comes from, keeping its comments, naming who changed each field', () => {
    const r = acceptManifestDrift(
      { text, contentFile: 'clusters/prod/manifests/web.yaml', encryptedPaths: [], inline: false },
      [
        { desired: cm, live: liveCm as K8sObject },
        { desired: deploy, live: liveDeploy as K8sObject },
      ],
      'clusters/prod/cluster.yaml',
    );
    expect(r.file).toBe('clusters/prod/manifests/web.yaml');
    expect(r.changes).toEqual([
      {
        object: 'ConfigMap/web/settings',
        field: 'data.mode',
        git: 'fast',
        cluster: 'slow',
        managers: ['kubectl-edit'],
        in_patch: true,
      },
      {
        object: 'ConfigMap/web/settings',
        field: 'data.retired',
        git: 'yes',
        cluster: null,
        managers: [],
        in_patch: true,
      },
      {
        object: 'ConfigMap/web/settings',
        field: 'data.extra',
        git: null,
        cluster: 'added',
        managers: ['kubectl-edit'],
        in_patch: true,
      },
      {
        object: 'Deployment/web/web',
        field: 'spec.replicas',
        git: 2,
        cluster: 5,
        managers: ['kubectl'],
        in_patch: true,
      },
      {
        object: 'Deployment/web/web',
        field: 'spec.template.spec.containers.1.image',
        git: 'nginx:1.27',
        cluster: 'nginx:1.28',
        managers: ['kubectl-set'],
        in_patch: true,
      },
    ]);
    expect(r.patch).toBe(`--- a/clusters/prod/manifests/web.yaml
+++ b/clusters/prod/manifests/web.yaml
@@ -5,8 +5,8 @@
   name: settings
   namespace: web
 data:
-  mode: fast # tuned
-  retired: "yes"
+  mode: slow # tuned
+  extra: added
 ---
 apiVersion: apps/v1
 kind: Deployment
@@ -14,12 +14,12 @@
   name: web
   namespace: web
 spec:
-  replicas: 2
+  replicas: 5
   template:
     spec:
       containers:
         - name: web
-          image: nginx:1.27
+          image: nginx:1.28
         - name: sidecar
           image: busybox:1.36
 ---
`);
  });

  it('lists a Secret’s drift masked and leaves it out of the patch', () => {
    const r = acceptManifestDrift(
      { text, contentFile: 'm.yaml', encryptedPaths: [], inline: false },
      [{ desired: secret, live: liveSecret as K8sObject }],
      'c.yaml',
    );
    expect(r.changes.every((c) => c.git === '***' && c.in_patch === false)).toBe(true);
    expect(r.changes.length).toBeGreaterThan(0);
    expect(r.patch).toBe('');
    expect(JSON.stringify(r)).not.toContain('cluster-secret-value');
    expect(JSON.stringify(r)).not.toContain(Buffer.from('cluster-secret-value').toString('base64'));
    expect(r.notes.join('\n')).toMatch(/secret/);
  });

  it('an object gone from the cluster is named, not patched', () => {
    const r = acceptManifestDrift(
      { text, contentFile: 'm.yaml', encryptedPaths: [], inline: false },
      [{ desired: cm, live: undefined }],
      'c.yaml',
    );
    expect(r.changes).toEqual([
      {
        object: 'ConfigMap/web/settings',
        field: '',
        git: '(the object)',
        cluster: null,
        managers: [],
        in_patch: false,
      },
    ]);
    expect(r.patch).toBe('');
  });

  it('maps a pointer into the live object onto the Git document', () => {
    const desired = { spec: { containers: [{ name: 'a' }, { name: 'b', image: 'x' }] } };
    const live = { spec: { containers: [{ name: 'b', image: 'y' }, { name: 'a' }, { name: 'c' }] } };
    expect(gitPathOf(desired, live, '/spec/containers/0/image')).toEqual({
      path: ['spec', 'containers', 1, 'image'],
      append: false,
    });
    expect(gitPathOf(desired, live, '/spec/containers/2')).toEqual({
      path: ['spec', 'containers'],
      append: true,
    });
  });

  it('a unified diff has hunks with three lines of context', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join('\n');
    const after = before.replace('l2\n', 'L2\n').replace('l18\n', 'l18\nnew\n');
    expect(unifiedDiff('f', `${before}\n`, `${after}\n`)).toBe(
      '--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n@@ -16,5 +16,6 @@\n l16\n l17\n l18\n+new\n l19\n l20\n',
    );
  });
});
