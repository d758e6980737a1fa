/**
 * A registry listed for every organisation on its first start (unless `MOORING_DEFAULT_REGISTRIES=false`).
 * Listed only: nothing is fetched from a public registry until a person asks for it (index now, or an
 * interval set), so a platform in a closed network never reaches out on its own.
 */
export interface DefaultRegistry {
  name: string;
  url: string;
  /** For an OCI registry that does not list its repositories: the charts to index. */
  charts?: string[];
  intervalSeconds: null;
}

/** Well-known public chart registries. */
export const DEFAULT_REGISTRIES: readonly DefaultRegistry[] = [
  {
    name: 'bitnami',
    url: 'oci://registry-1.docker.io/bitnamicharts',
    charts: [
      'nginx',
      'redis',
      'postgresql',
      'mysql',
      'mongodb',
      'kafka',
      'rabbitmq',
      'keycloak',
      'minio',
      'external-dns',
    ],
    intervalSeconds: null,
  },
  {
    name: 'prometheus-community',
    url: 'https://prometheus-community.github.io/helm-charts',
    intervalSeconds: null,
  },
  { name: 'grafana', url: 'https://grafana.github.io/helm-charts', intervalSeconds: null },
  { name: 'jetstack', url: 'https://charts.jetstack.io', intervalSeconds: null },
  { name: 'ingress-nginx', url: 'https://kubernetes.github.io/ingress-nginx', intervalSeconds: null },
  { name: 'argo', url: 'https://argoproj.github.io/argo-helm', intervalSeconds: null },
  {
    name: 'podinfo',
    url: 'oci://ghcr.io/stefanprodan/charts',
    charts: ['podinfo'],
    intervalSeconds: null,
  },
];
