/** A registry listed for every organisation on its first start (unless `MOORING_DEFAULT_REGISTRIES=false`). */
export interface DefaultRegistry {
  name: string;
  url: string;
  /** For an OCI registry that does not list its repositories: the charts to index. */
  charts?: string[];
  intervalSeconds: number;
}

const SIX_HOURS = 6 * 3600;

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
    intervalSeconds: SIX_HOURS,
  },
  {
    name: 'prometheus-community',
    url: 'https://prometheus-community.github.io/helm-charts',
    intervalSeconds: SIX_HOURS,
  },
  { name: 'grafana', url: 'https://grafana.github.io/helm-charts', intervalSeconds: SIX_HOURS },
  { name: 'jetstack', url: 'https://charts.jetstack.io', intervalSeconds: SIX_HOURS },
  { name: 'ingress-nginx', url: 'https://kubernetes.github.io/ingress-nginx', intervalSeconds: SIX_HOURS },
  { name: 'argo', url: 'https://argoproj.github.io/argo-helm', intervalSeconds: SIX_HOURS },
  {
    name: 'podinfo',
    url: 'oci://ghcr.io/stefanprodan/charts',
    charts: ['podinfo'],
    intervalSeconds: SIX_HOURS,
  },
];
