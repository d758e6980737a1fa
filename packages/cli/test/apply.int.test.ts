import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { eventually, kitClients, REPO_ROOT } from '@mooring/testkit';
import { describe, expect, inject, it } from 'vitest';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

const kit = inject('kit');
const { kc } = kitClients(kit);

/** A copy of examples/ as its own repository, with a unique cluster name and namespaces. */
function exampleRepo(suffix: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-apply-'));
  cpSync(join(REPO_ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  for (const f of [
    'examples/import-cluster.yaml',
    'examples/manifests/namespaces.yaml',
    'examples/manifests/app-settings.yaml',
    'examples/addons/podinfo.yaml',
    'examples/addons/slow-rollout.yaml',
  ]) {
    const p = join(dir, f);
    writeFileSync(
      p,
      readFileSync(p, 'utf8')
        .replace(/name: sandbox/, `name: sandbox-${suffix}`)
        .replace(/\b(namespace|name): (platform|apps)$/gm, `$1: $2-${suffix}`),
    );
  }
  return dir;
}

function io(cwd: string): Io & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    cwd,
    env: { ...process.env, ...kit.env },
    isTTY: false,
    stdout: (t: string) => {
      o.out += t;
    },
    stderr: (t: string) => {
      o.err += t;
    },
  };
  return o;
}

const clusterArgs = () => [
  '--kubeconfig',
  kit.kubeconfig!,
  '--helm',
  kit.helm,
  '--chart-cache',
  mkdtempSync(join(tmpdir(), 'cli-charts-')),
  '--mirror',
  `https://stefanprodan.github.io/podinfo=${kit.chartRepoUrl}`,
  '--mirror',
  `https://charts.example.invalid/mooring=${kit.chartRepoUrl}`,
];

describe('mooring apply / diff against the kit cluster', () => {
  it('applies the examples with progress lines, re-applies with no Helm call, previews a change with --dry-run, and diff reports drift', async () => {
    const s = Math.random().toString(36).slice(2, 7);
    const repo = exampleRepo(s);
    const args = ['-f', 'examples/import-cluster.yaml', '--repo-root', '.', ...clusterArgs()];

    const first = io(repo);
    expect(await main(['apply', ...args], first), first.err).toBe(0);
    expect(first.err).toMatch(/synced +apps-\w+\/addon\/podinfo/);
    expect(first.err).toMatch(/applied: 5 deployed, 0 unchanged, 0 failed/);

    const again = io(repo);
    expect(await main(['apply', ...args, '--output', 'json'], again)).toBe(0);
    const r = JSON.parse(again.out) as { ok: boolean; helmCalls: number; members: { phase: string }[] };
    expect(r.helmCalls).toBe(0);
    expect(r.members.every((m) => m.phase === 'unchanged')).toBe(true);

    writeFileSync(
      join(repo, 'examples/values/podinfo.yaml'),
      readFileSync(join(repo, 'examples/values/podinfo.yaml'), 'utf8').replace(
        'deployed by Mooring',
        'changed in Git',
      ),
    );
    const dry = io(repo);
    expect(await main(['apply', ...args, '--dry-run'], dry)).toBe(0);
    expect(dry.out, dry.out).toMatch(
      /upgrade +apps-\w+\/addon\/podinfo: upgrade revision 1 → 2: 1 objects change/,
    );
    expect(dry.out).toMatch(/changed in Git/);
    expect(dry.out).toMatch(/dry run: nothing was changed/);
    const apps = kc.makeApiClient(AppsV1Api);
    const dep = await apps.readNamespacedDeployment({ name: 'podinfo', namespace: `apps-${s}` });
    expect(JSON.stringify(dep.spec?.template.spec?.containers)).toContain('deployed by Mooring');

    // Git changed but was not applied: diff says the release is behind
    const behind = io(repo);
    expect(await main(['diff', ...args], behind)).toBe(1);
    expect(behind.out).toMatch(/addon apps-\w+\/podinfo: revision 1 is not what the definition holds/);
    writeFileSync(
      join(repo, 'examples/values/podinfo.yaml'),
      readFileSync(join(repo, 'examples/values/podinfo.yaml'), 'utf8').replace(
        'changed in Git',
        'deployed by Mooring',
      ),
    );

    const clean = io(repo);
    expect(await main(['diff', ...args], clean), clean.out + clean.err).toBe(0);
    expect(clean.out).toMatch(/no drift: 3 add-ons and 2 manifests match/);
    await apps.patchNamespacedDeployment({
      name: 'web',
      namespace: `apps-${s}`,
      body: [{ op: 'replace', path: '/spec/minReadySeconds', value: 1 }],
    });
    const drift = io(repo);
    await new Promise((res) => setTimeout(res, 300));
    expect(await main(['diff', ...args], drift)).toBe(1);
    expect(drift.out).toMatch(/minReadySeconds/);
    expect(drift.out).toMatch(/1 of 3 add-ons and 0 of 2 manifests drifted/);
  });

  it('apply --watch shows drift and the heal as they happen', async () => {
    const s = Math.random().toString(36).slice(2, 7);
    const repo = exampleRepo(s);
    const stop = new AbortController();
    const o = { ...io(repo), signal: stop.signal };
    const out = { err: '' };
    o.stderr = (t: string) => {
      out.err += t;
    };
    const running = main(
      ['apply', '-f', 'examples/import-cluster.yaml', '--repo-root', '.', '--watch', ...clusterArgs()],
      o,
    );
    const apps = kc.makeApiClient(AppsV1Api);
    await eventually(
      'the apply finished and the watch started',
      async () => out.err.includes('watching:'),
      120_000,
    );
    await apps.patchNamespacedDeployment({
      name: 'web',
      namespace: `apps-${s}`,
      body: [{ op: 'replace', path: '/spec/replicas', value: 5 }],
    });
    await eventually(
      'the heal is reported',
      async () => /web \[healed\] drift: Deployment\/apps-\w+\/web/.test(out.err),
      30_000,
    );
    await eventually(
      'replicas restored',
      async () =>
        (await apps.readNamespacedDeployment({ name: 'web', namespace: `apps-${s}` })).spec?.replicas === 2,
    );
    stop.abort();
    expect(await running).toBe(0);
  });

  it('refuses an invalid definition with file:line:col errors and applies nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-bad-'));
    writeFileSync(
      join(dir, 'import-cluster.yaml'),
      'apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: bad\nspec:\n  stacks:\n    - name: s\n      addons:\n        - name: a\n          chart_name: podinfo\n          chart_version: 6.14\n          repository_url: http://127.0.0.1:1\n          namespace: Bad_NS\n',
    );
    const o = io(dir);
    expect(await main(['apply', '-f', 'import-cluster.yaml', '--repo-root', '.', ...clusterArgs()], o)).toBe(
      1,
    );
    expect(o.err).toMatch(/import-cluster\.yaml:11:26: error: .*chart_version/);
    expect(o.err).toMatch(/import-cluster\.yaml:13:22: error: .*namespace/);
    expect(o.err).toMatch(/nothing applied/);
  });
});
