/** A valid ImportCluster that reads a manifest through from_file. */
export function validDefinition(name: string): { definition: string; files: Record<string, string> } {
  return {
    definition: `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
  description: A cluster for tests
spec:
  helm_registries:
    - name: podinfo
      url: https://stefanprodan.github.io/podinfo
  stacks:
    - name: base
      deploy_wave: 1
      manifests:
        - name: ns
          from_file: manifests/ns.yaml
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: "6.7.1"
          registry_name: podinfo
          namespace: apps
          parents:
            - manifest: ns
`,
    files: {
      'manifests/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
    },
  };
}

/** Three errors: an unquoted chart version, a typo'd field, a missing from_file target. */
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
      manifests:
        - name: ns
          from_file: manifests/missing.yaml
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: 6.7
          registry_name: podinfo
          namespcae: apps
`;
