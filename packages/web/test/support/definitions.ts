/** A valid ImportCluster with one add-on and one manifest. */
export function validDefinition(name: string): string {
  return `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
  description: Imported from the browser
spec:
  helm_registries:
    - name: podinfo
      url: https://stefanprodan.github.io/podinfo
  stacks:
    - name: base
      deploy_wave: 1
      manifests:
        - name: ns
          manifest: |
            apiVersion: v1
            kind: Namespace
            metadata:
              name: apps
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: "6.7.1"
          registry_name: podinfo
          namespace: apps
          parents:
            - manifest: ns
`;
}

/** Three mistakes: an unquoted chart version (line 14), a misspelt field (line 16), so no namespace. */
export const INVALID_DEFINITION = `apiVersion: v1
kind: ImportCluster
metadata:
  name: broken
spec:
  helm_registries:
    - name: podinfo
      url: https://stefanprodan.github.io/podinfo
  stacks:
    - name: base
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: 6.7
          registry_name: podinfo
          namespcae: apps
`;

/** A cluster with `count` add-ons, for the long table. */
export function manyAddons(name: string, count: number): string {
  const addons = Array.from(
    { length: count },
    (_, i) => `        - name: app-${String(i).padStart(4, '0')}
          chart_name: podinfo
          chart_version: "6.7.1"
          registry_name: podinfo
          namespace: ns-${i % 20}
`,
  ).join('');
  return `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  helm_registries:
    - name: podinfo
      url: https://stefanprodan.github.io/podinfo
  stacks:
    - name: many
      addons:
${addons}`;
}
