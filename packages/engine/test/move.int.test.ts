import { CoreV1Api } from '@kubernetes/client-node';
import { clientNodeConfig, kitClients, testNamespace } from '@mooring/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../src/apply.ts';
import { addon, definition, engineFor } from './support.ts';

const kit = inject('kit');
const { core } = kitClients(kit);
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup) await c().catch(() => undefined);
});

async function persistentVolume(name: string, storageClass: string): Promise<void> {
  await core.createPersistentVolume({
    body: {
      metadata: { name },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: storageClass,
        hostPath: { path: `/tmp/${name}` },
        persistentVolumeReclaimPolicy: 'Retain',
      },
    },
  });
  cleanup.push(() => core.deletePersistentVolume({ name }));
}

describe('moving an add-on to another namespace', () => {
  const cases = [
    { deletePvcs: false, via: 'the default strategy (keep_data)' },
    { deletePvcs: true, via: '--delete-pvcs' },
    { deletePvcs: true, via: 'namespace_migration_strategy: delete_data', strategy: 'delete_data' },
  ];
  for (const { deletePvcs, via, strategy } of cases) {
    it(`installs it in the new namespace, removes the old release and ${deletePvcs ? 'deletes' : 'keeps and reports'} its PVC (${via})`, async () => {
      const from = testNamespace('move-from');
      const to = testNamespace('move-to');
      cleanup.push(
        () => core.deleteNamespace({ name: from }),
        () => core.deleteNamespace({ name: to }),
      );
      const sc = `manual-${from}`;
      await persistentVolume(`pv-${from}`, sc);
      await persistentVolume(`pv-${to}`, sc);
      const name = `c-${from}`;
      const ctx = engineFor(kit, name);
      const text = (ns: string) =>
        `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n    - name: data\n      addons:\n${addon({ name: 'db', chart: 'keep-pvc', version: '0.1.0', namespace: ns, repo: kit.chartRepoUrl!, values: `storageClassName: ${sc}`, ...(strategy ? { extra: `          namespace_migration_strategy: ${strategy}` } : {}) })}\n`;
      const v1 = definition(text(from));
      const r1 = await applyPlan(ctx, v1.def, v1.plan);
      expect(r1.ok, JSON.stringify(r1.members)).toBe(true);
      const c = clientNodeConfig(ctx.kc).makeApiClient(CoreV1Api);
      expect(
        (await c.readNamespacedPersistentVolumeClaim({ name: 'db-data', namespace: from })).status?.phase,
      ).toBe('Bound');

      const v2 = definition(text(to));
      const r2 = await applyPlan(ctx, v2.def, v2.plan, { deletePvcs: deletePvcs && !strategy });
      expect(r2.ok, JSON.stringify(r2)).toBe(true);
      expect(r2.members.map((m) => [m.id, m.phase])).toEqual([['addon/db', 'synced']]);
      expect(r2.removed).toHaveLength(1);
      expect(r2.removed[0]).toMatchObject({ kind: 'addon', name: 'db', namespace: from });
      expect((await ctx.helm.list(from)).map((x) => x.name)).toEqual([]);
      expect((await ctx.helm.list(to)).map((x) => [x.name, x.status])).toEqual([['db', 'deployed']]);
      await expect(c.readNamespacedConfigMap({ name: 'db-config', namespace: from })).rejects.toMatchObject({
        code: 404,
      });
      expect((await c.readNamespacedConfigMap({ name: 'db-config', namespace: to })).data?.release).toBe(
        'db',
      );
      const left = (await c.listNamespacedPersistentVolumeClaim({ namespace: from })).items
        .filter((p) => !p.metadata?.deletionTimestamp)
        .map((p) => p.metadata?.name);
      if (deletePvcs) {
        expect(r2.removed[0]?.deletedPvcs).toEqual(['db-data']);
        expect(left).toEqual([]);
      } else {
        expect(r2.removed[0]?.retainedPvcs).toEqual(['db-data']);
        expect(r2.removed[0]?.detail).toMatch(/kept 1 PersistentVolumeClaim in .*: db-data/);
        expect(left).toEqual(['db-data']);
      }
      // nothing else of the release is left in the old namespace
      const cms = (await c.listNamespacedConfigMap({ namespace: from })).items
        .map((x) => x.metadata?.name)
        .filter((n) => n !== 'kube-root-ca.crt');
      expect(cms).toEqual([]);
    });
  }

  it('leaves the old release in place with namespace_migration_strategy: leave_old', async () => {
    const from = testNamespace('leave-from');
    const to = testNamespace('leave-to');
    cleanup.push(
      () => core.deleteNamespace({ name: from }),
      () => core.deleteNamespace({ name: to }),
    );
    const name = `c-${from}`;
    const ctx = engineFor(kit, name);
    const text = (ns: string) =>
      `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n    - name: data\n      addons:\n${addon({ name: 'web', chart: 'slow-rollout', version: '0.1.0', namespace: ns, repo: kit.chartRepoUrl!, values: 'minReadySeconds: 0\nreplicas: 1', extra: '          namespace_migration_strategy: leave_old' })}\n`;
    const v1 = definition(text(from));
    expect((await applyPlan(ctx, v1.def, v1.plan)).ok).toBe(true);
    const v2 = definition(text(to));
    const r2 = await applyPlan(ctx, v2.def, v2.plan);
    expect(r2.ok, JSON.stringify(r2)).toBe(true);
    expect(r2.removed).toEqual([
      expect.objectContaining({
        name: 'web',
        namespace: from,
        left: true,
        detail: `moved to namespace ${to}; the old release in ${from} is left in place (namespace_migration_strategy: leave_old)`,
      }),
    ]);
    expect((await ctx.helm.list(from)).map((x) => [x.name, x.status])).toEqual([['web', 'deployed']]);
    expect((await ctx.helm.list(to)).map((x) => [x.name, x.status])).toEqual([['web', 'deployed']]);
  });
});
