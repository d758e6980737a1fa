import { useQuery } from '@tanstack/react-query';
import { api, apiAll } from './client.ts';
import type {
  Addon,
  ApiToken,
  Cluster,
  GitopsStatus,
  Me,
  Operation,
  OperationDetail,
  Page,
  SyncRun,
} from './types.ts';

export const keys = {
  me: ['me'] as const,
  clusters: ['clusters'] as const,
  cluster: (id: string) => ['clusters', id] as const,
  addons: (id: string) => ['clusters', id, 'addons'] as const,
  operations: (clusterId: string) => ['operations', clusterId] as const,
  operation: (id: string) => ['operation', id] as const,
  tokens: ['tokens'] as const,
  gitops: (id: string) => ['clusters', id, 'gitops'] as const,
  syncs: (id: string, page: number, sort: string) => ['clusters', id, 'syncs', page, sort] as const,
};

export const useMe = () =>
  useQuery({ queryKey: keys.me, queryFn: ({ signal }) => api<Me>('/me', { signal }) });

/** Every cluster, refreshed every 15 s (online state follows agents' check-ins). */
export const useClusters = () =>
  useQuery({
    queryKey: keys.clusters,
    queryFn: ({ signal }) => apiAll<Cluster>('/clusters?sort=name', signal),
    refetchInterval: 15_000,
  });

export const useCluster = (id: string) =>
  useQuery({
    queryKey: keys.cluster(id),
    queryFn: ({ signal }) => api<Cluster>(`/clusters/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: 15_000,
  });

export const useAddons = (id: string) =>
  useQuery({
    queryKey: keys.addons(id),
    queryFn: ({ signal }) => apiAll<Addon>(`/clusters/${encodeURIComponent(id)}/addons?sort=name`, signal),
    refetchInterval: 15_000,
  });

/** The cluster's latest operations, refreshed every 3 s while one is under way. */
export const useOperations = (clusterId: string) =>
  useQuery({
    queryKey: keys.operations(clusterId),
    queryFn: ({ signal }) =>
      api<Page<Operation>>(
        `/operations?cluster_id=${encodeURIComponent(clusterId)}&sort=-created_at&page_size=100`,
        { signal },
      ).then((p) => p.items),
    refetchInterval: (q) =>
      q.state.data?.some((o) => o.state === 'pending' || o.state === 'running') ? 3_000 : 15_000,
  });

export const useOperation = (id: string | null) =>
  useQuery({
    queryKey: keys.operation(id ?? ''),
    queryFn: ({ signal }) => api<OperationDetail>(`/operations/${encodeURIComponent(id!)}`, { signal }),
    enabled: id !== null,
    refetchInterval: (q) =>
      q.state.data && (q.state.data.state === 'pending' || q.state.data.state === 'running') ? 2_000 : false,
  });

export const useTokens = () =>
  useQuery({ queryKey: keys.tokens, queryFn: ({ signal }) => apiAll<ApiToken>('/tokens', signal) });

/** The cluster's sync status, every 2 s while a sync runs. */
export const useGitopsStatus = (id: string) =>
  useQuery({
    queryKey: keys.gitops(id),
    queryFn: ({ signal }) => api<GitopsStatus>(`/clusters/${encodeURIComponent(id)}/gitops`, { signal }),
    refetchInterval: (q) => (q.state.data?.status === 'Syncing' ? 2_000 : 15_000),
  });

/** One page (10) of the sync history, sorted by the platform. */
export const useSyncs = (id: string, page: number, sort: string) =>
  useQuery({
    queryKey: keys.syncs(id, page, sort),
    queryFn: ({ signal }) =>
      api<Page<SyncRun>>(
        `/clusters/${encodeURIComponent(id)}/syncs?page=${page}&page_size=10&sort=${encodeURIComponent(sort)}`,
        { signal },
      ),
    placeholderData: (previous) => previous,
    refetchInterval: 15_000,
  });
