import { CoreV1Api } from '@kubernetes/client-node';
import { kitClients, testNamespace } from '@mooring/testkit';
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
  for (const deletePvcs of [false, true]) {
    it(`installs it in the new namespace, removes the old release and ${deletePvcs ? 'deletes' : 'keeps and reports'} its PVC`, async () => {
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
        `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n    - name: data\n      addons:\n${addon({ name: 'db', chart: 'keep-pvc', version: '0.1.0', namespace: ns, repo: kit.chartRepoUrl!, values: `storageClassName: ${sc}` })}\n`;
      const v1 = definition(text(from));
      const r1 = await applyPlan(ctx, v1.def, v1.plan);
      expect(r1.ok, JSON.stringify(r1.members)).toBe(true);
      const c = ctx.kc.makeApiClient(CoreV1Api);
      expect(
        (await c.readNamespacedPersistentVolumeClaim({ name: 'db-data', namespace: from })).status?.phase,
      ).toBe('Bound');

      const v2 = definition(text(to));
      const r2 = await applyPlan(ctx, v2.def, v2.plan, { deletePvcs });
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
});
