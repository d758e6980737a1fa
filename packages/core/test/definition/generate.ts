// Generates a large, valid definition for benchmarks: `stacks` stacks, each including a
// folder of files; every file holds `perFile` members (manifest entries or add-ons) with
// parents, variables, inline values and settings.

export interface GenerateOptions {
  /** Member files (the main file comes on top). Default 50. */
  files?: number;
  /** Members per file. Default 10 (so 500 members). */
  perFile?: number;
  /** Files per stack. Default 5. */
  filesPerStack?: number;
}

export interface Generated {
  files: Record<string, string>;
  main: string;
  members: number;
}

export function generateDefinition(opts: GenerateOptions = {}): Generated {
  const fileCount = opts.files ?? 50;
  const perFile = opts.perFile ?? 10;
  const filesPerStack = opts.filesPerStack ?? 5;
  const stacks = Math.ceil(fileCount / filesPerStack);
  const files: Record<string, string> = {};
  const main: string[] = [
    'apiVersion: v1',
    'kind: ImportCluster',
    'metadata:',
    '  name: generated',
    'spec:',
    '  helm_registries:',
    '    - name: charts',
    '      url: https://charts.example.com',
    '  stacks:',
  ];
  let members = 0;
  for (let s = 0; s < stacks; s++) {
    main.push(`    - name: stack-${s}`);
    if (s % 5 !== 4) main.push(`      deploy_wave: ${s % 4}`);
    main.push('      variables:', `        region: region-${s}`, `        replicas: ${(s % 3) + 1}`);
    main.push('      manifests:', `        - include: stacks/s${s}/manifests/`);
    main.push('      addons:', `        - include: stacks/s${s}/addons/`);
    let prevManifest: string | undefined;
    let prevAddon: string | undefined;
    for (let f = 0; f < filesPerStack && s * filesPerStack + f < fileCount; f++) {
      const isManifestFile = f % 5 < 2;
      const lines: string[] = [];
      for (let m = 0; m < perFile; m++) {
        const id = `s${s}-f${f}-m${m}`;
        members++;
        if (isManifestFile) {
          lines.push(`- name: cm-${id}`, '  namespace: apps');
          if (prevManifest && m % 3 !== 0) lines.push('  parents:', `    - manifest: ${prevManifest}`);
          lines.push(
            '  manifest: |',
            '    apiVersion: v1',
            '    kind: ConfigMap',
            '    metadata:',
            `      name: cm-${id}`,
            '      namespace: apps',
            '    data:',
            '      region: ${{ ankra.region }}',
            `      index: "${m}"`,
          );
          prevManifest = `cm-${id}`;
        } else {
          lines.push(
            `- name: app-${id}`,
            `  chart_name: chart-${m % 7}`,
            `  chart_version: "1.${m}.${f}"`,
            '  registry_name: charts',
            '  registry_url: https://charts.example.com',
            `  namespace: ns-${s}`,
          );
          const parents: string[] = [];
          if (prevManifest) parents.push(`    - manifest: ${prevManifest}`);
          if (prevAddon && m % 2 === 1) parents.push(`    - name: ${prevAddon}`, '      kind: addon');
          if (parents.length) lines.push('  parents:', ...parents);
          lines.push(
            '  configuration:',
            '    values: |',
            '      replicaCount: ${{ vars.replicas }}',
            '      image:',
            `        repository: registry.example.com/app-${m}`,
            `        tag: "v${f}.${m}"`,
            '      resources:',
            '        requests: { cpu: 100m, memory: 128Mi }',
            '      env:',
            '        - name: REGION',
            '          value: ${{ ankra.region }}',
            '  settings:',
            '    engine: native',
            '    sync_policy: { automated: true, self_heal: true, sync_options: [CreateNamespace=true] }',
            '    retry_policy: { limit: 3, backoff_duration: 10s, backoff_factor: 2, backoff_max: 5m }',
          );
          if (m % 5 === 0)
            lines.push(
              '    sync_window: { enabled: true, schedule: "0 2 * * *", duration: 2h, timezone: Europe/Berlin }',
            );
          prevAddon = `app-${id}`;
        }
      }
      files[`stacks/s${s}/${isManifestFile ? 'manifests' : 'addons'}/file-${f}.yaml`] =
        `${lines.join('\n')}\n`;
    }
  }
  files['import-cluster.yaml'] = `${main.join('\n')}\n`;
  return { files, main: 'import-cluster.yaml', members };
}
