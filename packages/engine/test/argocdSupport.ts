/** ImportCluster texts for the Argo CD tests: the kit's podinfo chart as add-ons of one stack. */

export function podinfo(
  repo: string,
  name: string,
  namespace: string,
  engine: 'argocd' | 'argo_cd' | 'native' | undefined,
  values = 'replicaCount: 1',
  settings: string[] = [],
): string {
  return [
    `        - name: ${name}`,
    '          chart_name: podinfo',
    '          chart_version: "6.14.1"',
    `          repository_url: ${repo}`,
    `          namespace: ${namespace}`,
    '          configuration:',
    '            values: |',
    ...values.split('\n').map((l) => `              ${l}`),
    '          settings:',
    ...(engine ? [`            engine: ${engine}`] : []),
    '            sync_policy:',
    '              automated: true',
    '              self_heal: true',
    '              auto_prune: true',
    '              sync_options: [CreateNamespace=true]',
    '            retry_policy: { limit: 2, backoff_duration: 1s, backoff_factor: 2, backoff_max: 5s }',
    ...settings.map((l) => `            ${l}`),
  ].join('\n');
}

export function clusterText(name: string, addons: string[]): string {
  const body = addons.length ? `      addons:\n${addons.join('\n')}` : '      addons: []';
  return `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n    - name: apps\n${body}\n`;
}
