import { AppsV1Api } from '@kubernetes/client-node';
import { clientNodeConfig, kitClients } from '@mooring/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../src/apply.ts';
import type { EngineEvent, MemberEvent } from '../src/events.ts';
import { addon, definition, engineFor, testNamespaces } from './support.ts';

const kit = inject('kit');
const { core } = kitClients(kit);
const repo = kit.chartRepoUrl!;
const namespaces = testNamespaces(core);
afterAll(() => namespaces.removeAll());
const ns = namespaces.create;

function cluster(name: string, stacks: string): string {
  return `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n${stacks}\n`;
}

function configMap(name: string, namespace: string, msg: string): string {
  return `          manifest: |
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: ${name}
              namespace: ${namespace}
            data:
              msg: ${msg}`;
}

const phasesOf = (events: EngineEvent[], name: string) =>
  events.filter((e): e is MemberEvent => e.type === 'member' && e.name === name).map((e) => e.phase);

describe('applyPlan against the kit cluster', () => {
  it('installs, skips unchanged members without a Helm call, upgrades on values and version changes, removes a member that left', async () => {
    const a = await ns('apply');
    const name = `c-${a}`;
    const ctx = engineFor(kit, name);
    const apps = clientNodeConfig(ctx.kc).makeApiClient(AppsV1Api);
    const stacks = (msg: string, version: string, withSlow: boolean) => `    - name: base
      manifests:
        - name: base-config
${configMap('base-config', a, msg)}
      addons:
${addon({ name: 'hook', chart: 'failing-hook', version: '0.1.0', namespace: a, repo, values: `message: ${msg}`, parents: ['manifest: base-config'] })}
${withSlow ? addon({ name: 'slow', chart: 'slow-rollout', version, namespace: a, repo, values: 'minReadySeconds: 0\nreplicas: 1' }) : ''}`;

    const events: EngineEvent[] = [];
    const first = definition(cluster(name, stacks('one', '0.1.0', true)));
    const r1 = await applyPlan(ctx, first.def, first.plan, { onEvent: (e) => events.push(e) });
    expect(r1.ok).toBe(true);
    expect(r1.members.map((m) => [m.id, m.phase])).toEqual([
      ['manifest/base-config', 'synced'],
      ['addon/slow', 'synced'],
      ['addon/hook', 'synced'],
    ]);
    expect(phasesOf(events, 'hook')).toEqual(['waiting', 'deploying', 'synced']);
    // the child started only after its parent finished
    const order = events
      .filter((e): e is MemberEvent => e.type === 'member')
      .map((e) => `${e.name}:${e.phase}`);
    expect(order.indexOf('hook:deploying')).toBeGreaterThan(order.indexOf('base-config:synced'));
    expect((await core.readNamespacedConfigMap({ name: 'hook-message', namespace: a })).data?.message).toBe(
      'one',
    );

    const again = await applyPlan(ctx, first.def, first.plan);
    expect(again.helmCalls).toBe(0);
    expect(again.members.map((m) => m.phase)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    const second = definition(cluster(name, stacks('two', '0.2.0', true)));
    const r2 = await applyPlan(ctx, second.def, second.plan);
    expect(r2.ok).toBe(true);
    expect(r2.members.find((m) => m.id === 'addon/hook')?.revision).toBe(2);
    expect(r2.members.find((m) => m.id === 'addon/slow')?.revision).toBe(2);
    expect((await core.readNamespacedConfigMap({ name: 'hook-message', namespace: a })).data?.message).toBe(
      'two',
    );
    expect(
      (await apps.readNamespacedDeployment({ name: 'slow', namespace: a })).metadata?.labels?.[
        'helm.sh/chart'
      ],
    ).toBeUndefined();
    const history = await ctx.helm.history('slow', a);
    expect(history.map((h) => h.chart)).toEqual(['slow-rollout-0.1.0', 'slow-rollout-0.2.0']);

    const third = definition(cluster(name, stacks('two', '0.2.0', false)));
    const r3 = await applyPlan(ctx, third.def, third.plan);
    expect(r3.ok).toBe(true);
    expect(r3.removed.map((x) => [x.kind, x.name, x.error])).toEqual([['addon', 'slow', undefined]]);
    expect((await ctx.helm.list(a)).map((r) => r.name)).toEqual(['hook']);
    await expect(apps.readNamespacedDeployment({ name: 'slow', namespace: a })).rejects.toMatchObject({
      code: 404,
    });
  });

  it('a failed parent blocks its children and nothing is removed', async () => {
    const a = await ns('block');
    const name = `c-${a}`;
    const ctx = engineFor(kit, name);
    const text = cluster(
      name,
      `    - name: s
      addons:
${addon({ name: 'broken', chart: 'slow-rollout', version: '9.9.9', namespace: a, repo })}
${addon({ name: 'child', chart: 'failing-hook', version: '0.1.0', namespace: a, repo, parents: ['addon: broken'] })}
${addon({ name: 'other', chart: 'failing-hook', version: '0.1.0', namespace: a, repo })}`,
    );
    const { def, plan } = definition(text);
    const r = await applyPlan(ctx, def, plan);
    expect(r.ok).toBe(false);
    const by = Object.fromEntries(r.members.map((m) => [m.name, m]));
    expect(by.broken?.phase).toBe('failed');
    expect(by.broken?.message).toMatch(/9\.9\.9/);
    expect(by.child?.phase).toBe('blocked');
    expect(by.child?.message).toBe('not deployed: addon/broken failed');
    expect([by.broken?.state, by.child?.state, by.other?.state]).toEqual(['Degraded', 'Pending', 'Synced']);
    expect(by.other?.phase).toBe('synced');
    expect(r.removalSkipped).toMatch(/nothing is removed/);
    expect((await ctx.helm.list(a)).map((x) => x.name)).toEqual(['other']);
  });

  it('refuses an add-on whose engine is argocd when no Argo CD is connected, naming the setting', async () => {
    const a = await ns('argocd');
    const ctx = engineFor(kit, `c-${a}`);
    const text = cluster(
      `c-${a}`,
      `    - name: s\n      addons:\n${addon({ name: 'argo', chart: 'failing-hook', version: '0.1.0', namespace: a, repo }).replace('          settings:\n', '          settings:\n            engine: argo_cd\n')}`,
    );
    const { def, plan } = definition(text);
    const r = await applyPlan(ctx, def, plan);
    expect(r.ok).toBe(false);
    expect(r.members[0]?.message).toMatch(/settings\.engine is argocd/);
    expect(r.helmCalls).toBe(0);
  });

  it('deploys waves in order: a higher wave starts only after the lower wave succeeded', async () => {
    const a = await ns('waves');
    const name = `c-${a}`;
    const ctx = engineFor(kit, name);
    const text = cluster(
      name,
      `    - name: late
      deploy_wave: 2
      addons:
${addon({ name: 'late', chart: 'failing-hook', version: '0.1.0', namespace: a, repo })}
    - name: early
      deploy_wave: 1
      addons:
${addon({ name: 'early', chart: 'slow-rollout', version: '0.1.0', namespace: a, repo, values: 'minReadySeconds: 3\nreplicas: 1' })}`,
    );
    const { def, plan } = definition(text);
    const events: EngineEvent[] = [];
    const apps = clientNodeConfig(ctx.kc).makeApiClient(AppsV1Api);
    let earlyWhenLateStarted: Promise<number | undefined> | undefined;
    const r = await applyPlan(ctx, def, plan, {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'member' && e.name === 'late' && e.phase === 'deploying') {
          earlyWhenLateStarted = apps
            .readNamespacedDeployment({ name: 'early', namespace: a })
            .then((d) => d.status?.availableReplicas);
        }
      },
    });
    expect(r.ok).toBe(true);
    const order = events
      .filter((e): e is MemberEvent => e.type === 'member')
      .map((e) => `${e.name}:${e.phase}`);
    expect(order.indexOf('late:deploying')).toBeGreaterThan(order.indexOf('early:synced'));
    // the slow rollout was Available (minReadySeconds passed) when the next wave began
    expect(await earlyWhenLateStarted).toBe(1);
  });
});
