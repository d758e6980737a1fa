// The documented format's ordering and member keys against the kit cluster:
// stacks without a wave start at once and a failing wave never blocks them;
// a member below a catalogue application is blocked with that reason; a
// manifest with `force` is replaced when it cannot be changed in place.
import { kitClients } from '@mooring/testkit';
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

const cluster = (name: string, stacks: string) =>
  `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n${stacks}\n`;

function configMapManifest(name: string, namespace: string, extra = '', data = 'msg: hi'): string {
  return `        - name: ${name}
${extra}          manifest: |
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: ${name}
              namespace: ${namespace}
            data:
              ${data}`;
}

describe('the documented ordering', () => {
  it('deploys a stack without a wave at once, while a wave fails and blocks the next wave', async () => {
    const a = await ns('unwaved');
    const name = `c-${a}`;
    const ctx = engineFor(kit, name);
    const text = cluster(
      name,
      `    - name: first
      deploy_wave: 0
      manifests:
${configMapManifest('broken', `${a}-missing`)}
    - name: second
      deploy_wave: 1
      manifests:
${configMapManifest('after', a)}
    - name: free
      manifests:
${configMapManifest('free-config', a)}
      addons:
${addon({ name: 'free-app', chart: 'slow-rollout', version: '0.1.0', namespace: a, repo, values: 'minReadySeconds: 0\nreplicas: 1', parents: ['manifest: free-config'] })}`,
    );
    const { def, plan } = definition(text);
    const events: EngineEvent[] = [];
    const r = await applyPlan(ctx, def, plan, { onEvent: (e) => events.push(e) });
    expect(r.ok).toBe(false);
    const byId = Object.fromEntries(r.members.map((m) => [m.id, [m.phase, m.message]]));
    expect(byId['manifest/broken']?.[0]).toBe('failed');
    expect(byId['manifest/after']).toEqual(['blocked', 'not deployed: manifest/broken failed']);
    expect(byId['manifest/free-config']?.[0]).toBe('synced');
    expect(byId['addon/free-app']?.[0]).toBe('synced');
    const order = events
      .filter((e): e is MemberEvent => e.type === 'member')
      .map((e) => `${e.name}:${e.phase}`);
    // it started beside wave 0, not after it
    expect(order.indexOf('free-config:deploying')).toBeLessThan(order.indexOf('broken:failed'));
    expect((await ctx.helm.list(a)).map((x) => [x.name, x.status])).toEqual([['free-app', 'deployed']]);
    await expect(core.readNamespacedConfigMap({ name: 'after', namespace: a })).rejects.toMatchObject({
      code: 404,
    });
  });

  it('blocks a member whose parent is a catalogue application, and deploys the rest', async () => {
    const a = await ns('application');
    const name = `c-${a}`;
    const ctx = engineFor(kit, name);
    const text = cluster(
      name,
      `    - name: apps
      applications:
        - name: grafana
          platform_application_id: grafana
      manifests:
${configMapManifest('below-app', a, '          parents:\n            - application: grafana\n')}
${configMapManifest('plain', a)}`,
    );
    const { def, plan } = definition(text);
    const r = await applyPlan(ctx, def, plan);
    expect(r.ok).toBe(false);
    expect(r.members.map((m) => [m.id, m.phase, m.message])).toEqual([
      [
        'manifest/below-app',
        'blocked',
        'not deployed: its parent application "grafana" is not deployed (Mooring has no application catalogue)',
      ],
      ['manifest/plain', 'synced', '1 created, 0 configured, 0 unchanged'],
    ]);
    await expect(core.readNamespacedConfigMap({ name: 'below-app', namespace: a })).rejects.toMatchObject({
      code: 404,
    });
  });
});

describe('a manifest with force', () => {
  it('fails on an immutable change without force, and is replaced with it', async () => {
    const a = await ns('force');
    const name = `c-${a}`;
    const ctx = engineFor(kit, name);
    const text = (color: string, force: boolean) =>
      cluster(
        name,
        `    - name: s
      manifests:
        - name: frozen
          force: ${force}
          manifest: |
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: frozen
              namespace: ${a}
            immutable: true
            data:
              color: ${color}`,
      );
    const v1 = definition(text('blue', false));
    expect((await applyPlan(ctx, v1.def, v1.plan)).ok).toBe(true);
    const uid = (await core.readNamespacedConfigMap({ name: 'frozen', namespace: a })).metadata?.uid;

    const v2 = definition(text('green', false));
    const r2 = await applyPlan(ctx, v2.def, v2.plan);
    expect(r2.ok).toBe(false);
    expect(r2.members[0]?.message).toMatch(
      /ConfigMap.*frozen.*set force: true on the manifest to replace it/,
    );
    expect((await core.readNamespacedConfigMap({ name: 'frozen', namespace: a })).data?.color).toBe('blue');

    const v3 = definition(text('green', true));
    const r3 = await applyPlan(ctx, v3.def, v3.plan);
    expect(r3.ok, JSON.stringify(r3.members)).toBe(true);
    expect(r3.members[0]?.message).toBe('0 created, 0 configured, 1 replaced, 0 unchanged');
    const live = await core.readNamespacedConfigMap({ name: 'frozen', namespace: a });
    expect(live.data?.color).toBe('green');
    expect(live.metadata?.uid).not.toBe(uid);
  });
});
