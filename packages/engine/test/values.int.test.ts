import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { Sops } from '@mooring/gitops';
import { clientNodeConfig, kitClients, testNamespace } from '@mooring/testkit';
import { describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../src/apply.ts';
import { createEngineContext } from '../src/create.ts';
import { type AddonMemory, createLiveState, runSweep, sweepTargets } from '../src/sweep/index.ts';
import { addon, definition, engineFor } from './support.ts';

const kit = inject('kit');
const repo = kit.chartRepoUrl!;
const ctxCore = () => kitClients(kit).core;
const cluster = (name: string, addons: string) =>
  `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n    - name: s\n      addons:\n${addons}\n`;

describe('engine: values, sources and failures', () => {
  it('decrypts SOPS-encrypted values in memory and deploys them', async () => {
    const ns = testNamespace('sops');
    const sops = new Sops({ binary: kit.sops, ageKeyFile: kit.ageKeyFile });
    const enc = await sops.encrypt('message: s3cr3t-value\nhook:\n  fail: false\n', {
      recipients: [kit.agePublicKey],
      encryptedPaths: ['message'],
    });
    expect(enc.text).not.toContain('s3cr3t-value');
    const ctx = createEngineContext({
      cluster: `c-${ns}`,
      kubeconfig: kit.kubeconfig,
      helmBinary: kit.helm,
      helmEnv: kit.env,
      chartCacheDir: mkdtempSync(join(tmpdir(), 'engine-charts-')),
      decrypt: (t) => sops.decrypt(t),
    });
    const text = cluster(
      ctx.cluster,
      `        - name: secret
          chart_name: failing-hook
          chart_version: "0.1.0"
          repository_url: ${repo}
          namespace: ${ns}
          configuration:
            from_file: values/secret.yaml
          encrypted_paths: [message]
          settings:
            sync_policy:
              sync_options: [CreateNamespace=true]`,
    );
    const { def, plan } = definition(text, { 'values/secret.yaml': enc.text });
    const r = await applyPlan(ctx, def, plan);
    expect(r.ok, JSON.stringify(r.members)).toBe(true);
    const cm = await clientNodeConfig(ctx.kc)
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: 'secret-message', namespace: ns });
    expect(cm.data?.message).toBe('s3cr3t-value');
    // and nothing of the plaintext is in the result a caller would log
    expect(JSON.stringify(r)).not.toContain('s3cr3t-value');
  });

  it('decrypts a SOPS-encrypted manifest in memory and applies it', async () => {
    const ns = testNamespace('sops-manifest');
    const sops = new Sops({ binary: kit.sops, ageKeyFile: kit.ageKeyFile });
    const plain = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-auth\n  namespace: ${ns}\ntype: Opaque\nstringData:\n  password: hunter2-very-secret\n`;
    const enc = await sops.encrypt(plain, {
      recipients: [kit.agePublicKey],
      encryptedPaths: ['stringData.password'],
    });
    expect(enc.text).not.toContain('hunter2-very-secret');
    await ctxCore().createNamespace({ body: { metadata: { name: ns } } });
    const ctx = createEngineContext({
      cluster: `c-${ns}`,
      kubeconfig: kit.kubeconfig,
      helmBinary: kit.helm,
      helmEnv: kit.env,
      chartCacheDir: mkdtempSync(join(tmpdir(), 'engine-charts-')),
      decrypt: (t) => sops.decrypt(t),
    });
    const text = `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${ctx.cluster}\nspec:\n  stacks:\n    - name: s\n      manifests:\n        - name: db-auth\n          from_file: secrets/db-auth.yaml\n          encrypted_paths: [stringData.password]\n`;
    const { def, plan } = definition(text, { 'secrets/db-auth.yaml': enc.text });
    const r = await applyPlan(ctx, def, plan);
    expect(r.ok, JSON.stringify(r.members)).toBe(true);
    const secret = await clientNodeConfig(ctx.kc)
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: 'db-auth', namespace: ns });
    expect(Buffer.from(secret.data?.password ?? '', 'base64').toString()).toBe('hunter2-very-secret');
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  it('deploys a chart from the OCI registry', async () => {
    const ns = testNamespace('oci');
    const ctx = engineFor(kit, `c-${ns}`);
    const text = cluster(
      ctx.cluster,
      addon({
        name: 'from-oci',
        chart: 'slow-rollout',
        version: '0.2.0',
        namespace: ns,
        repo: `oci://${kit.ociHost}/charts`,
        values: 'minReadySeconds: 0',
      }),
    );
    const { def, plan } = definition(text);
    const r = await applyPlan(ctx, def, plan);
    expect(r.ok, JSON.stringify(r.members)).toBe(true);
    expect((await ctx.helm.list(ns)).map((r) => [r.name, r.chart, r.status])).toEqual([
      ['from-oci', 'slow-rollout-0.2.0', 'deployed'],
    ]);
  });

  it('rolls back a failing upgrade: the member fails with the cause and the previous revision stays deployed', async () => {
    const ns = testNamespace('rollback');
    const ctx = engineFor(kit, `c-${ns}`);
    const v = (values: string) =>
      definition(
        cluster(
          ctx.cluster,
          addon({ name: 'app', chart: 'failing-hook', version: '0.1.0', namespace: ns, repo, values }),
        ),
      );
    const ok = v('message: good');
    expect((await applyPlan(ctx, ok.def, ok.plan)).ok).toBe(true);
    const bad = v('message: bad\nhook:\n  fail: true\n  deadlineSeconds: 2');
    const r = await applyPlan(ctx, bad.def, bad.plan);
    expect(r.ok).toBe(false);
    expect(r.members[0]?.phase).toBe('failed');
    expect(r.members[0]?.message).toMatch(/helm upgrade --install app .* failed/);
    const history = await ctx.helm.history('app', ns);
    expect(history.at(-1)?.status).toBe('deployed');
    expect(
      (
        await clientNodeConfig(ctx.kc)
          .makeApiClient(CoreV1Api)
          .readNamespacedConfigMap({ name: 'app-message', namespace: ns })
      ).data?.message,
    ).toBe('good');
  });

  it('backs off a heal that keeps failing, per retry_policy, and says so', async () => {
    const ns = testNamespace('backoff');
    const ctx = engineFor(kit, `c-${ns}`);
    const retry =
      '            retry_policy: { limit: 2, backoff_duration: 30s, backoff_factor: 2, backoff_max: 5m }';
    const text = (url: string) =>
      cluster(
        ctx.cluster,
        addon({
          name: 'app',
          chart: 'failing-hook',
          version: '0.1.0',
          namespace: ns,
          repo: url,
          values: 'message: one',
        }).replace(
          '              sync_options: [CreateNamespace=true]',
          `              self_heal: true\n              sync_options: [CreateNamespace=true]\n${retry}`,
        ),
      );
    const good = definition(text(repo));
    expect((await applyPlan(ctx, good.def, good.plan)).ok).toBe(true);
    await clientNodeConfig(ctx.kc)
      .makeApiClient(CoreV1Api)
      .deleteNamespacedConfigMap({ name: 'app-message', namespace: ns });
    // the chart source is now unreachable: every heal fails
    const broken = definition(text('http://127.0.0.1:9'));
    const live = createLiveState(ctx.kc);
    await live.start();
    try {
      const memory = new Map<string, AddonMemory>();
      let now = new Date();
      const sweep = () =>
        runSweep(ctx, live, sweepTargets(broken.def, broken.plan), memory, { now: () => now });
      const first = await sweep();
      expect(first.addons[0]?.actions).toEqual(['heal_failed']);
      expect(first.addons[0]?.drift.map((d) => d.missing)).toEqual([true]);
      const second = await sweep();
      expect(second.addons[0]?.actions).toEqual(['heal_waiting']);
      expect(second.addons[0]?.message).toMatch(/retry 1 of 2/);
      // the deleted object makes the add-on unhealthy: Degraded outranks OutOfSync, the message tells the retry
      expect(second.addons[0]?.state).toBe('Degraded');
      now = new Date(now.getTime() + 31_000);
      expect((await sweep()).addons[0]?.actions).toEqual(['heal_failed']);
      now = new Date(now.getTime() + 61_000);
      expect((await sweep()).addons[0]?.actions).toEqual(['heal_failed']);
      now = new Date(now.getTime() + 10 * 60_000);
      const exhausted = await sweep();
      expect(exhausted.addons[0]?.actions).toEqual(['heal_given_up']);
    } finally {
      live.objects.stop();
      live.releases.stop();
    }
  });
});
