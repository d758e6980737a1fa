// A GitOps repository laid out as real ones are: one folder per cluster
// (clusters/NAME/cluster.yaml), paths relative to that folder, a common/
// folder shared through ../, and every key of the documented format.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  loadDefinition,
  MemoryFileSource,
  memberContentHash,
} from '../../src/definition/index.ts';
import { readTree, TESTDATA } from './helpers.ts';

const tree = readTree(join(TESTDATA, 'multi-cluster'));
const source = new MemoryFileSource(tree);

describe('a repository with one folder per cluster', () => {
  const alpha = loadDefinition(source, 'clusters/alpha/cluster.yaml');
  const beta = loadDefinition(source, 'clusters/beta/cluster.yaml');

  it('loads both clusters; the only diagnostic is the application warning', () => {
    expect(alpha.diagnostics.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}:${d.column}`)).toEqual([
      'warning application-not-deployed clusters/alpha/cluster.yaml:41:17',
    ]);
    expect(beta.diagnostics).toEqual([]);
  });

  it('resolves every path from the folder of the cluster file, also inside included files', () => {
    expect(alpha.files).toEqual([
      'clusters/alpha/add-ons/podinfo.yaml',
      'clusters/alpha/cluster.yaml',
      'clusters/alpha/docs/podinfo.md',
      'clusters/alpha/files/app-config.yaml',
      'clusters/alpha/manifests/namespace.yaml',
      'clusters/alpha/values/podinfo.yaml',
      'common/add-ons/metrics.yaml',
      'common/docs/platform.md',
      'common/manifests/limits.yaml',
      'common/values/metrics.yaml',
    ]);
    // the shared add-on's values come from common/ for both clusters
    for (const r of [alpha, beta]) {
      const metrics = r.definition!.stacks[0]!.addons.find((a) => a.name === 'metrics')!;
      expect(metrics.values.file).toBe('common/values/metrics.yaml');
      expect(metrics.values.parsed).toEqual({ replicaCount: 1 });
      expect(r.definition!.stacks[0]!.description).toBe('Shared platform prerequisites');
    }
  });

  it('keeps the whole documented format in the model', () => {
    const def = alpha.definition!;
    expect(def.prometheusMetrics).toEqual({
      endpoint: 'https://prometheus.alpha.example.com',
      credentialName: 'alpha-prometheus',
      flavor: 'victoria_metrics',
      verifySsl: true,
    });
    expect(def.logSource).toEqual({
      provider: 'loki',
      endpoint: 'loki.alpha.example.com:3100',
      credentialName: 'alpha-loki',
      tenantId: 'alpha',
      fieldMappings: { message: 'line', level: 'detected_level' },
      verifySsl: true,
    });
    const apps = def.stacks[1]!;
    expect(apps.applications).toEqual([
      expect.objectContaining({
        name: 'grafana',
        platformApplicationId: 'grafana',
        platformApplicationVersion: '1.2.0',
        namespace: 'monitoring',
        parameters: { admin_user: 'admin' },
        group: 'observability',
      }),
    ]);
    const cfg = apps.manifests[0]!;
    expect(cfg).toMatchObject({
      name: 'app-config',
      force: true,
      autoRemediate: true,
      group: 'config',
      dependenciesOverride: [{ kind: 'manifest', name: 'namespace' }],
      parents: [{ kind: 'manifest', name: 'namespace' }],
    });
    expect(cfg.agentsMd?.text).toContain('Immutable: changed by replacing it (force).');
    const podinfo = apps.addons[0]!;
    expect(podinfo.agentsMd).toEqual({
      text: '# podinfo on alpha\n\nRestart with `kubectl rollout restart deploy/podinfo -n apps`.\n',
      file: 'clusters/alpha/docs/podinfo.md',
    });
    expect(podinfo.group).toBe('web');
    expect(podinfo.namespaceMigrationStrategy).toBe('keep_data');
    expect(def.stacks[0]!.addons[0]!.namespaceMigrationStrategy).toBe('delete_data');
    expect(podinfo.parents).toEqual([
      { kind: 'manifest', name: 'app-config' },
      { kind: 'application', name: 'grafana' },
    ]);
  });

  it('plans applications beside the members that name them', () => {
    const plan = buildPlan(alpha.definition!);
    const apps = plan.waves.find((w) => w.wave === 1)!.stacks[0]!;
    expect(apps.applications).toEqual(['grafana']);
    const podinfo = apps.layers.flatMap((l) => l.members).find((m) => m.name === 'podinfo')!;
    expect(podinfo.parents).toEqual(['manifest/app-config', 'application/grafana']);
  });

  it('never hashes display-only fields: group and agents_md changes redeploy nothing', () => {
    const changed = new MemoryFileSource({
      ...tree,
      'clusters/alpha/add-ons/podinfo.yaml': tree['clusters/alpha/add-ons/podinfo.yaml']!.replace(
        'group: web',
        'group: frontend',
      ),
      'clusters/alpha/docs/podinfo.md': '# other notes\n',
    });
    const again = loadDefinition(changed, 'clusters/alpha/cluster.yaml').definition!;
    const before = alpha.definition!.stacks[1]!.addons[0]!;
    const after = again.stacks[1]!.addons[0]!;
    expect(after.group).toBe('frontend');
    expect(after.agentsMd?.text).toBe('# other notes\n');
    expect(memberContentHash(after)).toBe(memberContentHash(before));
  });

  it('refuses a path that leaves the repository, naming file, line and field', () => {
    const r = loadDefinition(source, 'clusters/escape/cluster.yaml');
    expect(r.definition).toBeUndefined();
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        file: 'clusters/escape/cluster.yaml',
        line: 10,
        column: 22,
        path: 'spec.stacks[0].manifests[0].from_file',
        code: 'invalid-path',
        message:
          '"from_file" path "../../../outside.yaml" leaves the repository: paths are relative to the folder of the cluster definition ("clusters/escape") and must stay inside the repository',
      },
    ]);
  });

  it('says so when a missing path exists relative to the top of the repository', () => {
    const files = {
      ...tree,
      'clusters/alpha/add-ons/podinfo.yaml': tree['clusters/alpha/add-ons/podinfo.yaml']!.replace(
        'from_file: values/podinfo.yaml',
        'from_file: clusters/alpha/values/podinfo.yaml',
      ),
    };
    const r = loadDefinition(new MemoryFileSource(files), 'clusters/alpha/cluster.yaml');
    const d = r.diagnostics.find((x) => x.code === 'file-not-found')!;
    expect(d).toMatchObject({ file: 'clusters/alpha/add-ons/podinfo.yaml', line: 14, column: 14 });
    expect(d.message).toBe(
      '"from_file" names "clusters/alpha/values/podinfo.yaml" ("clusters/alpha/clusters/alpha/values/podinfo.yaml"), which does not exist in the repository',
    );
    expect(d.hint).toBe(
      '"clusters/alpha/values/podinfo.yaml" exists relative to the repository\'s top folder; paths are relative to the folder of the cluster definition ("clusters/alpha"), in every file: write "values/podinfo.yaml"',
    );
  });

  it('says so when a missing path exists relative to the file that names it', () => {
    const files = {
      ...tree,
      'common/add-ons/metrics.yaml': tree['common/add-ons/metrics.yaml']!.replace(
        'from_file: ../../common/values/metrics.yaml',
        'from_file: ../values/metrics.yaml',
      ),
    };
    const r = loadDefinition(new MemoryFileSource(files), 'clusters/beta/cluster.yaml');
    const d = r.diagnostics.find((x) => x.code === 'file-not-found')!;
    expect(d.file).toBe('common/add-ons/metrics.yaml');
    expect(d.hint).toBe(
      '"common/values/metrics.yaml" exists relative to the file that names it (common/add-ons/metrics.yaml); paths are relative to the folder of the cluster definition ("clusters/beta"), in every file: write "../../common/values/metrics.yaml"',
    );
  });

  it('says "root folder" outside Git', () => {
    const r = loadDefinition(source, 'clusters/escape/cluster.yaml', { rootLabel: 'root folder' });
    expect(r.diagnostics[0]!.message).toContain('leaves the root folder');
  });
});
