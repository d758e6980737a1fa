import { ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { kitClients, testNamespace } from '@mooring/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../src/apply.ts';
import { definition, engineFor } from './support.ts';

const kit = inject('kit');
const { core, kc } = kitClients(kit);
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup) await c().catch(() => undefined);
});

const indent = (text: string, n: number) =>
  text
    .trim()
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

describe('manifest members', () => {
  it('applies CRDs and Namespaces first whatever the file order, records an inventory, and prunes what left the manifest', async () => {
    const ns = testNamespace('manifests');
    const group = `${ns.replace(/[^a-z0-9]/g, '')}.mooring.dev`;
    cleanup.push(() => core.deleteNamespace({ name: ns }));
    const cr = `apiVersion: ${group}/v1
kind: Gadget
metadata:
  name: one
  namespace: ${ns}
spec:
  size: 2`;
    const cm = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  k: v`;
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: { plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              x-kubernetes-preserve-unknown-fields: true`;
    const namespace = `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}`;
    const text = (docs: string[]) => `apiVersion: v1
kind: ImportCluster
metadata:
  name: c-${ns}
spec:
  stacks:
    - name: base
      manifests:
        - name: everything
          manifest: |
${indent(docs.join('\n---\n'), 12)}
`;
    const ctx = engineFor(kit, `c-${ns}`);
    cleanup.push(() =>
      kc.makeApiClient(ApiextensionsV1Api).deleteCustomResourceDefinition({ name: `gadgets.${group}` }),
    );
    // the custom resource and the ConfigMaps come BEFORE their CRD and Namespace in the file
    const v1 = definition(text([cr, cm('keep'), cm('drop'), crd, namespace]));
    const r1 = await applyPlan(ctx, v1.def, v1.plan);
    expect(r1.ok, JSON.stringify(r1.members)).toBe(true);
    expect(r1.members[0]?.message).toBe('5 created, 0 configured, 0 unchanged');
    const gadget = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: ns,
      plural: 'gadgets',
      name: 'one',
    })) as {
      metadata: { managedFields: { manager: string }[]; labels: Record<string, string> };
    };
    expect(gadget.metadata.managedFields.map((f) => f.manager)).toContain('mooring');
    expect(gadget.metadata.labels['mooring.dev/member']).toBe('everything');

    const v2 = definition(text([cr, cm('keep'), crd, namespace]));
    const r2 = await applyPlan(ctx, v2.def, v2.plan);
    expect(r2.ok).toBe(true);
    expect(r2.members[0]?.message).toMatch(/1 pruned/);
    await expect(core.readNamespacedConfigMap({ name: 'drop', namespace: ns })).rejects.toMatchObject({
      code: 404,
    });
    expect((await core.readNamespacedConfigMap({ name: 'keep', namespace: ns })).data?.k).toBe('v');

    // an object created by someone else in the same namespace is never pruned
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'not-ours' }, data: { a: 'b' } },
    });
    const v3 = definition(text([cr, crd, namespace]));
    const r3 = await applyPlan(ctx, v3.def, v3.plan);
    expect(r3.ok).toBe(true);
    expect((await core.readNamespacedConfigMap({ name: 'not-ours', namespace: ns })).data?.a).toBe('b');
    await expect(core.readNamespacedConfigMap({ name: 'keep', namespace: ns })).rejects.toMatchObject({
      code: 404,
    });
  });
});
