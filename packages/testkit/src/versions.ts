/** Pinned versions of the upstream programs the test kit builds. Keep in step with scripts/build-binaries.sh. */
export const VERSIONS = {
  kubernetes: 'v1.35.4',
  etcd: 'v3.6.16',
  kwok: 'v0.8.0',
  helm: 'v4.1.4',
  sops: 'v3.13.3',
  nats: 'v2.12.15',
  argocd: 'v3.6.1',
} as const;
