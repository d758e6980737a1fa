// Golden files: the realistic repository's model and plan. UPDATE_GOLDEN=1 rewrites them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, loadDefinition } from '../../src/definition/index.ts';
import { sourceFromDir, TESTDATA } from './helpers.ts';

const GOLDEN = join(TESTDATA, 'golden');

function compareGolden(name: string, value: unknown): void {
  const file = join(GOLDEN, name);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('realistic repository', () => {
  const source = sourceFromDir(join(TESTDATA, 'realistic'));
  const result = loadDefinition(source, 'clusters/prod/import-cluster.yaml');

  it('loads without diagnostics', () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.definition).toBeDefined();
  });

  it('matches the golden model', () => {
    compareGolden('realistic.model.json', result.definition);
  });

  it('matches the golden plan', () => {
    compareGolden('realistic.plan.json', buildPlan(result.definition!));
  });

  it('reads every kind of source', () => {
    const def = result.definition!;
    expect(def.files).toEqual([
      'addons/ingress.yaml',
      'addons/observability/loki.yml',
      'addons/observability/prometheus.yaml',
      'clusters/prod/import-cluster.yaml',
      'docs/logging.md',
      'manifest-entries/dashboards.yaml',
      'manifests/alert-rules.yaml',
      'manifests/logging/fluent-bit-configmap.yaml',
      'manifests/logging/shipper-secret.yaml',
      'manifests/namespaces/cert-manager.yaml',
      'manifests/namespaces/logging.yml',
      'manifests/namespaces/monitoring.yaml',
      'values/fluent-bit.yaml',
      'values/loki.enc.yaml',
    ]);
    const [foundation, logging, observability, tools] = def.stacks;
    // A folder include of object files: one manifest per file, named after it, sorted by path.
    expect(foundation!.manifests.map((m) => m.name)).toEqual(['cert-manager', 'logging', 'monitoring']);
    expect(foundation!.manifests[1]!.objects.map((o) => o.kind)).toEqual(['Namespace', 'LimitRange']);
    // repository_url form, engine alias, standalone.
    const cm = foundation!.addons[0]!;
    expect(cm.chart.registry).toEqual({
      name: 'charts.jetstack.io',
      url: 'https://charts.jetstack.io',
      oci: false,
    });
    expect(cm.settings.engine).toBe('native');
    expect(cm.standalone).toBe(true);
    expect(cm.settings.revisionHistoryLimit).toBe(5);
    // description_from_file, variables in a from_file manifest and values file.
    expect(logging!.description).toBe('Logging: Fluent Bit ships container logs to CloudWatch.');
    expect(logging!.manifests[0]!.objects[0]!.data).toEqual({
      region: 'eu-west-1',
      environment: 'production',
    });
    const fb = logging!.addons[0]!;
    expect(fb.values.file).toBe('values/fluent-bit.yaml');
    expect(fb.values.parsed.env).toEqual([{ name: 'CLUSTER_ENV', value: 'production' }]);
    expect(fb.parents).toEqual([
      { kind: 'manifest', name: 'fluent-bit-config' },
      { kind: 'manifest', name: 'log-shipper-credentials' },
    ]);
    expect(fb.jobConfiguration.updateJobTimeout).toEqual({ text: '900s', seconds: 900 });
    expect(fb.settings.syncWindow).toEqual({
      enabled: true,
      schedule: '0 22 * * *',
      duration: { text: '4h', seconds: 14400 },
      timezone: 'Europe/Berlin',
    });
    // A folder include of add-on files (a list and a mapping), an included file of manifest entries.
    expect(observability!.addons.map((a) => a.name)).toEqual([
      'loki',
      'kube-prometheus-stack',
      'prometheus-node-exporter',
      'grafana',
    ]);
    expect(observability!.addons[0]!.chart.registry).toEqual({
      name: 'internal',
      url: 'oci://registry.acme.example/charts',
      oci: true,
      credentialName: 'harbor-pull',
    });
    expect(observability!.addons[0]!.source).toEqual({
      file: 'addons/observability/loki.yml',
      line: 1,
      column: 1,
      path: 'spec.stacks[2].addons[0].include[0]',
    });
    expect(observability!.manifests.map((m) => m.name)).toEqual(['grafana-dashboards', 'alert-rules']);
    expect(observability!.addons[3]!.values.parsed).toEqual({
      adminUser: 'admin',
      persistence: { enabled: true },
    });
    expect(observability!.addons[3]!.settings.engine).toBe('argocd');
    expect(tools!.deployWave).toBeUndefined();
    expect(tools!.manifests[0]!.objects[0]!.metadata).toEqual({
      name: 'tools',
      labels: { greeting: 'hello' },
    });
    expect(tools!.manifests[1]!.objects[0]!.kind).toBe('ResourceQuota');
  });
});
